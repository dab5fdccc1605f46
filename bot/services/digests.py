"""Digests and the weekly board (SPEC §6): what is due for a community now, composed and queued once.

A sweep asks each community what is due at its local wall-clock time: the members' daily
digest and the group digest at `digest_time`, the weekly board at `weekly_board`. Each kind
runs once per local period (a day, or an ISO week): the run is recorded in the same
transaction that queues its notices, and every notice has a dedupe key naming its
recipient and period, so a second sweep, a second process or a restart never queues a
second copy. A run missed while the bot was down happens when it is back, if it is still
the same local day (or week); past periods are not caught up.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.schedule import OFF, QuietHours, WeeklyTime, daily_due, day_key, local_now, parse_time, week_key, weekly_due
from bot.services.badges import TOP_WEEK, award_badge
from bot.services.notices import queue_notice
from bot.services.questions import excerpt
from bot.services.recommend import recommend
from bot.services.settings import EffectiveSettings, effective_member_settings, read_community_settings
from storage.db import Database
from storage.models import Community
from storage.models_engagement import DigestItem, DigestQuestion, Recipient, Standing
from storage.repos import Repos

log = logging.getLogger(__name__)

MEMBER_DIGEST, GROUP_DIGEST, WEEKLY_BOARD = "member_digest", "group_digest", "weekly_board"
DAY, WEEK = dt.timedelta(days=1), dt.timedelta(days=7)
SIGNAL_WINDOW = dt.timedelta(days=30)  # opens and unlocks that make an item popular
PICKS = 3
EXCERPT_CHARS = 120
BOARD_SIZE = 10
WINNERS = 3  # the top of the weekly board who get the badge
MEMBER_KEYS = ("digest", "quiet_hours")  # the member preferences a digest run reads


@dataclass(frozen=True)
class Due:
    """One kind of run that is due, for one local period; `window` is how far back "new" reaches."""

    kind: str
    period: str
    window: dt.timedelta


@dataclass(frozen=True)
class Run:
    """What one run did: notices queued, recipients skipped (nothing new, opted out), or a repeat."""

    kind: str
    period: str
    queued: int
    skipped: int
    repeat: bool = False


def due_runs(settings: EffectiveSettings, local: dt.datetime) -> list[Due]:
    """Return the runs due at this local moment (each stays due until the end of its day)."""
    runs: list[Due] = []
    at = parse_time(settings["digest_time"])
    if at is not None and daily_due(local, at):
        runs.append(Due(MEMBER_DIGEST, day_key(local), DAY))
        group = settings["group_digest"]
        if group == "daily":
            runs.append(Due(GROUP_DIGEST, day_key(local), DAY))
        elif group == "weekly" and local.weekday() == 0:
            runs.append(Due(GROUP_DIGEST, week_key(local), WEEK))
    board = WeeklyTime.parse(settings["weekly_board"]) if settings["weekly_board"] != OFF else None
    if board is not None and weekly_due(local, board):
        runs.append(Due(WEEKLY_BOARD, week_key(local), WEEK))
    return runs


async def do_run_engagement(db: Database, clock: Clock, config: Settings, community_id: int) -> list[Run]:
    """Queue what is due now for one community: each kind once per local period."""
    now = clock.now()
    async with db.read() as repos:
        community = await repos.communities.get(community_id)
        if community is None or not community.is_active:
            return []
        settings = await read_community_settings(repos, community_id, config)
        local = local_now(now, community.timezone)
        due = [run for run in due_runs(settings, local)
               if not await repos.digests.has_run(community_id, run.kind, run.period)]
    return [await _run(db, config, community, settings, run, now, local) for run in due]


async def _run(
    db: Database, config: Settings, community: Community, settings: EffectiveSettings, due: Due,
    now: dt.datetime, local: dt.datetime,
) -> Run:
    async with db.read() as repos:
        composed, skipped = await COMPOSERS[due.kind](repos, config, community, due, now, local)
    async with db.transaction() as repos:
        if not await repos.digests.record_run(community.id, due.kind, due.period, now, len(composed), skipped):
            return Run(due.kind, due.period, 0, 0, repeat=True)  # another sweep got there first
        for notice in composed:
            await queue_notice(repos, notice.key, notice.chat_id, notice.kind, now, community_id=community.id,
                               not_before=notice.not_before, **notice.params)
        if due.kind == WEEKLY_BOARD:
            for user_id, _name, _points, rank in composed[0].params["leaders"] if composed else ():
                if rank <= WINNERS:
                    await award_badge(repos, community.id, user_id, TOP_WEEK, now)
    log.info("%s %s for %s: %s queued, %s skipped", due.kind, due.period, community.id, len(composed), skipped)
    return Run(due.kind, due.period, len(composed), skipped)


@dataclass(frozen=True)
class Composed:
    """A notice ready to queue."""

    key: str
    chat_id: int
    kind: str
    params: dict[str, Any]
    not_before: dt.datetime | None = None


async def _member_digests(
    repos: Repos, config: Settings, community: Community, due: Due, now: dt.datetime, local: dt.datetime
) -> tuple[list[Composed], int]:
    since = now - due.window
    recipients = await repos.digests.recipients(community.id, MEMBER_KEYS)
    items = await repos.digests.items(community.id, now - SIGNAL_WINDOW)
    owned = await repos.digests.owned(community.id)
    questions = await repos.digests.open_questions(community.id, now - WEEK)
    answers: dict[int, list[list[Any]]] = defaultdict(list)
    for answer in await repos.digests.new_answers(community.id, since):
        answers[answer.asker_id].append([answer.number, answer.author_name, excerpt(answer.text, EXCERPT_CHARS)])
    standings = {s.user_id: s for s in await repos.digests.standings(community.id)}
    ranks = week_ranks(standings.values())
    fresh = [item for item in items if item.created_at >= since]
    fresh.sort(key=lambda item: (item.created_at, item.id), reverse=True)
    limit = config.engagement.digest_items
    composed, skipped = [], 0
    for member in recipients:
        preferences = effective_member_settings(member.preferences, config)
        if not preferences["digest"]:
            skipped += 1
            continue
        held = owned.get(member.user_id, set())
        new = [item for item in fresh if item.creator_id != member.user_id][:limit]
        theirs = answers.get(member.user_id, [])[:limit]
        open_here = [q for q in questions if q.asker_id != member.user_id and _about(q, member.tags)][:PICKS]
        if not (new or theirs or open_here):
            skipped += 1  # nothing new for them: no empty digests
            continue
        picks = recommend(items, member.tags, member.user_id, held | {item.id for item in new}, PICKS)
        standing = standings.get(member.user_id)
        params = {
            "community": community.id, "title": community.title,
            "new": [_item(item) for item in new],
            "picks": [[*_item(pick.item), pick.reason, pick.tag] for pick in picks],
            "answers": theirs,
            "questions": [[q.number, excerpt(q.text, EXCERPT_CHARS)] for q in open_here],
            "streak": standing.streak if standing else 0,
            "rank": ranks.get(member.user_id),
        }
        composed.append(Composed(
            f"digest:{community.id}:{member.user_id}:{due.period}", member.user_id, "engagement/digest", params,
            _after_quiet_hours(preferences["quiet_hours"], local),
        ))
    return composed, skipped


async def _group_digest(
    repos: Repos, config: Settings, community: Community, due: Due, now: dt.datetime, local: dt.datetime
) -> tuple[list[Composed], int]:
    since = now - due.window
    limit = config.engagement.digest_items
    items = [item for item in await repos.digests.items(community.id, since) if item.created_at >= since]
    items.sort(key=lambda item: (item.created_at, item.id), reverse=True)
    asked = await repos.digests.open_questions(community.id, now - WEEK)
    unanswered = [q for q in asked if q.answer_count == 0 and q.created_at <= now - DAY][:limit]
    hot = sorted((q for q in asked if q.answer_count > 0), key=lambda q: (-q.answer_count, -q.number))[:limit]
    if not (items or unanswered or hot):
        return [], 1
    leaders = _ranked(await repos.points.top(community.id, 7, WINNERS))
    params = {
        "weekly": due.window == WEEK,
        "new": [[item.id, item.title] for item in items[:limit]],
        "unanswered": [[q.number, excerpt(q.text, EXCERPT_CHARS)] for q in unanswered],
        "hot": [[q.number, excerpt(q.text, EXCERPT_CHARS), q.answer_count] for q in hot],
        "leaders": [[name, points, rank] for _user_id, name, points, rank in leaders],
    }
    return [Composed(f"group_digest:{community.id}:{due.period}", community.id, "engagement/group_digest",
                     params)], 0


async def _weekly_board(
    repos: Repos, config: Settings, community: Community, due: Due, now: dt.datetime, local: dt.datetime
) -> tuple[list[Composed], int]:
    leaders = _ranked(await repos.points.top(community.id, 7, BOARD_SIZE))
    if not leaders:
        return [], 1
    return [Composed(f"weekly_board:{community.id}:{due.period}", community.id, "engagement/weekly_board",
                     {"leaders": leaders})], 0


COMPOSERS = {MEMBER_DIGEST: _member_digests, GROUP_DIGEST: _group_digest, WEEKLY_BOARD: _weekly_board}


def _ranked(top: list[tuple[int, int, str]]) -> list[list[Any]]:
    """Return [user_id, name, points, rank] for leaders best first; ties share a rank, as on /top."""
    ranked: list[list[Any]] = []
    for index, (user_id, points, name) in enumerate(top):
        rank = ranked[-1][3] if ranked and ranked[-1][2] == points else index + 1
        ranked.append([user_id, name, points, rank])
    return ranked


def week_ranks(standings: Any) -> dict[int, int]:
    """Rank members by points of the last 7 days (ties share a rank); members without any have none."""
    ordered = sorted((s for s in standings if s.week > 0), key=lambda s: -s.week)
    ranks: dict[int, int] = {}
    for index, standing in enumerate(ordered):
        previous = ordered[index - 1] if index else None
        ranks[standing.user_id] = ranks[previous.user_id] if previous and previous.week == standing.week else index + 1
    return ranks


def _item(item: DigestItem) -> list[Any]:
    return [item.id, item.title, item.price_stars, item.price_points]


def _about(question: DigestQuestion, tags: tuple[str, ...]) -> bool:
    text = question.text.casefold()
    return any(tag.casefold() in text for tag in tags)


def _after_quiet_hours(window: str, local: dt.datetime) -> dt.datetime | None:
    """Return when a personal notice may go out (None: now), given the member's quiet hours."""
    quiet = QuietHours.parse(window) if window != OFF else None
    if quiet is None or not quiet.contains(local.time()):
        return None
    return quiet.ends_after(local).astimezone(dt.UTC)


__all__ = ["Recipient", "Standing", "do_run_engagement", "due_runs", "week_ranks"]
