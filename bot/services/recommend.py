"""Picks for one member: the one function digests and /recommend call.

For now it ranks what the community opens and unlocks most, first within the member's
interest tags; a learned model can replace the ranking behind the same signature.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from storage.models_engagement import DigestItem

MAX_PER_TAG = 2  # at most this many picks share one tag


@dataclass(frozen=True)
class Pick:
    """A recommended item and why: "interest" (popular in one of the member's tags) or "popular"."""

    item: DigestItem
    reason: str
    tag: str | None = None


def recommend(
    items: Sequence[DigestItem], interests: Iterable[str], member_id: int, skip: set[int], k: int
) -> list[Pick]:
    """Return up to k items the member neither made nor holds nor was already shown (skip).

    `items` come most popular first; those in the member's interests go before the rest.
    """
    wanted = {tag.casefold() for tag in interests}
    picks: list[Pick] = []
    per_tag: Counter[str] = Counter()
    for in_interests in (True, False):
        for item in items:
            if len(picks) == k:
                return picks
            if item.creator_id == member_id or item.id in skip:
                continue
            shared = next((tag for tag in item.tags if tag.casefold() in wanted), None)
            if (shared is not None) != in_interests:
                continue
            tags = [tag.casefold() for tag in item.tags]
            if any(per_tag[tag] >= MAX_PER_TAG for tag in tags):
                continue
            per_tag.update(tags)
            picks.append(Pick(item, "interest", shared) if shared else Pick(item, "popular"))
    return picks
