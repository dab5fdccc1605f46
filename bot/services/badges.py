"""Badges (SPEC §3): each awarded once per member and community, and announced once."""

from __future__ import annotations

import datetime as dt

from bot.services.notices import queue_notice
from storage.repos import Repos

NEWCOMER = "newcomer"  # onboarding completed
CURIOUS = "curious"  # first question
HELPER = "helper"  # first accepted answer
MENTOR = "mentor"  # MENTOR_ANSWERS accepted answers
ON_FIRE = "on_fire"  # ON_FIRE_STREAK-day check-in streak
SUPPORTER = "supporter"  # first purchase
TOP_WEEK = "top_week"  # among the top three of a weekly board

BADGES = (NEWCOMER, CURIOUS, HELPER, MENTOR, ON_FIRE, SUPPORTER, TOP_WEEK)
# Given without an announcement of their own: purchases are private; the weekly board names its winners.
QUIET_BADGES = frozenset({SUPPORTER, TOP_WEEK})
MENTOR_ANSWERS = 10
ON_FIRE_STREAK = 7


async def display_name(repos: Repos, user_id: int) -> str:
    """Return the user's name as Telegram shows it (their id if unknown)."""
    user = await repos.users.get(user_id)
    return user.full_name if user is not None else str(user_id)


async def award_badge(repos: Repos, community_id: int, user_id: int, badge: str, now: dt.datetime) -> bool:
    """Give a member a badge inside the caller's transaction and queue its group announcement once (if any)."""
    if badge not in BADGES:
        raise ValueError(f"unknown badge {badge!r}")
    if not await repos.badges.add(community_id, user_id, badge, now):
        return False
    community = await repos.communities.get(community_id)
    if community is None or not community.is_active or badge in QUIET_BADGES:
        return True
    await queue_notice(
        repos, f"badge:{community_id}:{user_id}:{badge}", community_id, "points/badge", now,
        user_id=user_id, name=await display_name(repos, user_id), badge=badge,
    )
    return True
