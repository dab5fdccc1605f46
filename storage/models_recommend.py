"""What the recommender reads about a community: its catalog, members' signals, interests and Q&A."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple


class Signal(NamedTuple):
    """One member's signal on an item: kind is open (value = times), stars, points, grant or rating (1-5)."""

    user_id: int
    item_id: int
    kind: str
    value: int
    at: dt.datetime


class CatalogItem(NamedTuple):
    """A published item as the content model sees it."""

    id: int
    title: str
    description: str
    tags: tuple[str, ...]
    created_at: dt.datetime


class CommunitySignals(NamedTuple):
    """Everything a fit reads, in a few queries."""

    items: list[CatalogItem]
    signals: list[Signal]
    interests: dict[int, tuple[str, ...]]  # onboarding tags by member
    qa: list[tuple[int, str]]  # (member, text) of the questions they asked and answers they gave
