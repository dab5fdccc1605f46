"""What a digest run reads about a community in a few queries: recipients, items, questions, answers, points."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple


class Recipient(NamedTuple):
    """A member who started the bot and can be written to, with their interests and stored preferences."""

    user_id: int
    first_name: str
    tags: tuple[str, ...]
    preferences: dict[str, Any]  # raw stored member settings by name
    joined_at: dt.datetime | None = None


class DigestItem(NamedTuple):
    """A published item with what ranks it: recent opens and unlocks."""

    id: int
    creator_id: int
    title: str
    tags: tuple[str, ...]
    price_stars: int | None
    price_points: int | None
    members_only: bool
    min_level: int | None
    created_at: dt.datetime
    signals: int


class DigestQuestion(NamedTuple):
    """An open question."""

    number: int
    asker_id: int
    text: str
    answer_count: int
    created_at: dt.datetime


class NewAnswer(NamedTuple):
    """An answer someone else gave to a member's question."""

    asker_id: int
    number: int
    author_name: str
    text: str
    created_at: dt.datetime


class Standing(NamedTuple):
    """A member's points standing: score, streak, and points in the last 7 days."""

    user_id: int
    score: int
    streak: int
    week: int


class EngagementRun(NamedTuple):
    """A recorded run: its local period, when it ran, notices queued and members skipped."""

    period: str
    ran_at: dt.datetime
    queued: int
    skipped: int


class Activity(NamedTuple):
    """When a member last earned by writing, and their check-in streak (local day ordinals)."""

    user_id: int
    last_message_at: dt.datetime | None
    checkin_day: int | None
    streak: int
