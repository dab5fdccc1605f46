"""Badges (SPEC §3): each awarded once per member and community, and announced once."""

from __future__ import annotations

import datetime as dt
from html import escape

from bot.i18n import Raw, Translator
from bot.services.outbox import enqueue_message
from storage.repos import Repos

NEWCOMER = "newcomer"  # onboarding completed
CURIOUS = "curious"  # first question
HELPER = "helper"  # first accepted answer
MENTOR = "mentor"  # MENTOR_ANSWERS accepted answers
ON_FIRE = "on_fire"  # ON_FIRE_STREAK-day check-in streak
SUPPORTER = "supporter"  # first purchase

BADGES = (NEWCOMER, CURIOUS, HELPER, MENTOR, ON_FIRE, SUPPORTER)
MENTOR_ANSWERS = 10
ON_FIRE_STREAK = 7


def badge_label(t: Translator, lang: str, badge: str) -> str:
    """Return a badge's emoji and name in a language."""
    return t(lang, f"badge.{badge}") if badge in BADGES else badge


def mention(user_id: int, name: str) -> Raw:
    """Return an HTML link that mentions a user by id (the name is escaped)."""
    return Raw(f'<a href="tg://user?id={user_id}">{escape(name, quote=False)}</a>')


async def display_name(repos: Repos, user_id: int) -> str:
    """Return the user's name as Telegram shows it (their id if unknown)."""
    user = await repos.users.get(user_id)
    return user.full_name if user is not None else str(user_id)


async def award_badge(
    repos: Repos, t: Translator, community_id: int, user_id: int, badge: str, now: dt.datetime
) -> bool:
    """Give a member a badge inside the caller's transaction and queue its announcement once."""
    if badge not in BADGES:
        raise ValueError(f"unknown badge {badge!r}")
    if not await repos.badges.add(community_id, user_id, badge, now):
        return False
    community = await repos.communities.get(community_id)
    if community is None or not community.is_active:
        return True
    lang = community.language
    text = t(
        lang,
        "badge.announce",
        mention=mention(user_id, await display_name(repos, user_id)),
        badge=badge_label(t, lang, badge),
        why=t(lang, f"badge.why.{badge}"),
    )
    await enqueue_message(repos, f"badge:{community_id}:{user_id}:{badge}", community_id, text, now)
    return True
