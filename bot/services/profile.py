"""A member's profile across communities: membership, interests and onboarding state."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database
from storage.models import Community, Membership
from storage.repos.onboarding import Onboarding


@dataclass(frozen=True)
class ProfileEntry:
    """One community as the member sees themselves in it."""

    community: Community
    membership: Membership
    onboarding: Onboarding | None

    @property
    def next_step(self) -> str:
        """Return what to do next: 'rules', 'survey' or 'done'."""
        return self.onboarding.step if self.onboarding is not None else "rules"

    @property
    def tags(self) -> list[str]:
        """Return the interests picked in the survey."""
        return list(self.onboarding.tags) if self.onboarding is not None else []


async def get_profile(db: Database, user_id: int, community_id: int | None = None) -> list[ProfileEntry]:
    """Return the member's communities (those they are in or asked to join), by title."""
    async with db.read() as repos:
        rows = await repos.onboarding.overview(user_id)
    return [
        ProfileEntry(community, membership, state)
        for community, membership, state in rows
        if community_id is None or community.id == community_id
    ]


def next_unfinished(entries: list[ProfileEntry]) -> ProfileEntry | None:
    """Return the onboarding to resume: the most recently touched unfinished one."""
    unfinished = [e for e in entries if e.next_step != "done"]
    if not unfinished:
        return None
    return max(unfinished, key=lambda e: (e.onboarding.updated_at if e.onboarding else e.membership.joined_at))
