"""Reminders worth receiving (SPEC §6): a quiet member hears what is new, a streak about to end is
flagged, a question nobody answered for a day reaches the members who know its topic.

Each reminder goes at most once per occasion (one per spell of inactivity, one per evening a
streak is at risk, one per question and helper), only to members who allow reminders, never
more than the community's `reminders_per_week` in seven days, and after the member's quiet hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from bot.services.points_rules import local_day
from bot.services.questions import excerpt
from bot.services.runs import RunContext
from bot.services.runs import REMIND_EXPIRING, REMIND_INACTIVE, REMIND_STREAK, REMIND_UNANSWERED, WEEK, Composed
from bot.services.runs import after_quiet_hours
from bot.services.settings import effective_member_settings
from bot.services.settings_registry import MEMBER_REMINDER_KINDS
from storage.models_engagement import Recipient
from storage.repos import Repos

INACTIVE_AFTER = dt.timedelta(days=7)
NOTICE_KINDS = {
    REMIND_INACTIVE: "reminders/inactive", REMIND_STREAK: "reminders/streak", REMIND_UNANSWERED: "reminders/unanswered",
    REMIND_EXPIRING: "reminders/expiring",
}
UNANSWERED_AFTER, UNANSWERED_UNTIL = dt.timedelta(days=1), dt.timedelta(days=3)  # how old a question to ping about
HELPERS = 3  # members pinged per question
# Each kind's name among a member's preferences (`reminders.<name>`) and in the "Stop these" button.
SWITCHES = {REMIND_INACTIVE: "inactive", REMIND_STREAK: "streak", REMIND_UNANSWERED: "unanswered",
            REMIND_EXPIRING: "expiring"}
MEMBER_KEYS = ("reminders", "quiet_hours", *(f"reminders.{name}" for name in MEMBER_REMINDER_KINDS))


async def _inactive(repos: Repos, run: RunContext) -> tuple[list[Composed], int]:
    """Members who have not written or checked in for 7 days, told what is new there (if anything is)."""
    community, now = run.community, run.now
    items = [item for item in await repos.digests.items(community.id, now - WEEK) if item.created_at >= now - WEEK]
    questions = await repos.digests.open_questions(community.id, now - WEEK)
    if not items and not questions:
        return [], 0  # nothing to come back for: no reminder
    activity = await repos.digests.activity(community.id)
    sent = await repos.digests.reminders_since(community.id, now - WEEK)
    today = local_day(now, community.timezone)
    notices: list[Composed | None] = []
    for member in await repos.digests.recipients(community.id, MEMBER_KEYS):
        mine = activity.get(member.user_id)
        last_message = mine.last_message_at if mine else None
        last_active = max(filter(None, (last_message, member.joined_at)), default=None)
        checked_in = mine.checkin_day if mine else None
        quiet_since = last_active is None or last_active <= now - INACTIVE_AFTER
        if not quiet_since or (checked_in is not None and checked_in > today - INACTIVE_AFTER.days):
            continue
        occasion = last_active.date().isoformat() if last_active else "never"  # one per spell of quiet
        notices.append(remind(run, member, sent, REMIND_INACTIVE, occasion,
                              {"items": len(items), "questions": len(questions)}))
    return split(notices)


async def _streak(repos: Repos, run: RunContext) -> tuple[list[Composed], int]:
    """Members who checked in yesterday but not yet today: their streak ends at local midnight."""
    community, now = run.community, run.now
    activity = await repos.digests.activity(community.id)
    sent = await repos.digests.reminders_since(community.id, now - WEEK)
    yesterday = local_day(now, community.timezone) - 1
    notices: list[Composed | None] = []
    for member in await repos.digests.recipients(community.id, MEMBER_KEYS):
        mine = activity.get(member.user_id)
        if mine is None or mine.checkin_day != yesterday or mine.streak <= 0:
            continue
        notices.append(remind(run, member, sent, REMIND_STREAK, run.due.period, {"streak": mine.streak}))
    return split(notices)


def split(notices: list[Composed | None]) -> tuple[list[Composed], int]:
    """Return the notices composed and how many members were skipped (None: opted out or over the cap)."""
    composed = [notice for notice in notices if notice is not None]
    return composed, len(notices) - len(composed)


def allows(preferences: Mapping[str, object], kind: str) -> bool:
    """Tell whether a member's preferences let this kind of reminder through."""
    return bool(preferences["reminders"]) and bool(preferences[f"reminders.{SWITCHES[kind]}"])


def remind(
    run: RunContext, member: Recipient, sent: dict[int, int], kind: str, occasion: str, params: dict[str, object]
) -> Composed | None:
    """One member's reminder, or None when they turned reminders (or this kind) off or had their week's share.

    `sent` counts each member's reminders of the last 7 days; a reminder composed here counts too.
    """
    preferences = effective_member_settings(member.preferences, run.config)
    if not allows(preferences, kind) or sent.get(member.user_id, 0) >= run.settings["reminders_per_week"]:
        return None
    sent[member.user_id] = sent.get(member.user_id, 0) + 1
    community = run.community
    return Composed(
        f"{kind}:{community.id}:{member.user_id}:{occasion}", member.user_id, NOTICE_KINDS[kind],
        {"community": community.id, "title": community.title, "switch": SWITCHES[kind], **params},
        after_quiet_hours(preferences["quiet_hours"], run.local),
    )


async def _unanswered(repos: Repos, run: RunContext) -> tuple[list[Composed], int]:
    """Open questions without an answer for a day: up to three members who share a topic it names and answer most."""
    community, now = run.community, run.now
    waiting = [q for q in await repos.digests.open_questions(community.id, now - UNANSWERED_UNTIL)
               if q.answer_count == 0 and q.created_at <= now - UNANSWERED_AFTER]
    if not waiting:
        return [], 0
    recipients = await repos.digests.recipients(community.id, MEMBER_KEYS)
    answered = await repos.digests.answer_counts(community.id)
    sent = await repos.digests.reminders_since(community.id, now - WEEK)
    notices: list[Composed | None] = []
    for question in waiting:
        text = question.text.casefold()
        knows = [(next((t for t in m.tags if t.casefold() in text), None), m) for m in recipients
                 if m.user_id != question.asker_id]
        helpers = sorted(((tag, m) for tag, m in knows if tag), key=lambda pair: -answered.get(pair[1].user_id, 0))
        for tag, member in helpers[:HELPERS]:
            notices.append(remind(run, member, sent, REMIND_UNANSWERED, str(question.number),
                                  {"number": question.number, "text": excerpt(question.text, 120), "tag": tag}))
    return split(notices)


COMPOSERS = {REMIND_INACTIVE: _inactive, REMIND_STREAK: _streak, REMIND_UNANSWERED: _unanswered}
