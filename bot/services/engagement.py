"""The engagement sweep (SPEC §6): what is due for a community now, composed and queued once.

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

from bot.clock import Clock
from bot.config import Settings
from bot.schedule import OFF, WeeklyTime, daily_due, day_key, local_now, parse_time, week_key, weekly_due
from bot.services import digests, expiry, reminders
from bot.services.badges import award_badge
from bot.services.notices import PAID_BROADCAST
from bot.services.recommend import Recommender
from bot.services.runs import DAY, GROUP_DIGEST, MEMBER_DIGEST, REMIND_EXPIRING, REMIND_INACTIVE, REMIND_STREAK
from bot.services.runs import REMIND_UNANSWERED
from bot.services.runs import WEEK, WEEKLY_BOARD, Due, Run, RunContext
from bot.services.settings import EffectiveSettings, read_community_settings
from storage.db import Database
from storage.models import Community

log = logging.getLogger(__name__)

COMPOSERS = {**digests.COMPOSERS, **reminders.COMPOSERS, REMIND_EXPIRING: expiry.compose_expiring}


def due_runs(settings: EffectiveSettings, local: dt.datetime, streak_at: dt.time | None = None) -> list[Due]:
    """Return the runs due at this local moment (each stays due until the end of its day).

    Reminders of inactivity, of unanswered questions and of memberships ending go with the morning digest, of a streak
    at risk at `streak_at`.
    """
    runs: list[Due] = []
    at = parse_time(settings["digest_time"])
    if at is not None and daily_due(local, at):
        runs.append(Due(MEMBER_DIGEST, day_key(local), DAY))
        if settings["reminders.inactive"]:
            runs.append(Due(REMIND_INACTIVE, day_key(local), DAY))
        if settings["reminders.unanswered"]:
            runs.append(Due(REMIND_UNANSWERED, day_key(local), DAY))
        if settings["reminders.expiring"]:
            runs.append(Due(REMIND_EXPIRING, day_key(local), DAY))
        group = settings["group_digest"]
        if group == "daily":
            runs.append(Due(GROUP_DIGEST, day_key(local), DAY))
        elif group == "weekly" and local.weekday() == 0:
            runs.append(Due(GROUP_DIGEST, week_key(local), WEEK))
    board = WeeklyTime.parse(settings["weekly_board"]) if settings["weekly_board"] != OFF else None
    if board is not None and weekly_due(local, board):
        runs.append(Due(WEEKLY_BOARD, week_key(local), WEEK))
    if streak_at is not None and settings["reminders.streak"] and daily_due(local, streak_at):
        runs.append(Due(REMIND_STREAK, day_key(local), DAY))
    return runs


async def do_run_engagement(
    db: Database, clock: Clock, config: Settings, community_id: int, recommender: Recommender | None = None
) -> list[Run]:
    """Queue what is due now for one community: each kind once per local period."""
    now = clock.now()
    async with db.read() as repos:
        community = await repos.communities.get(community_id)
        if community is None or not community.is_active:
            return []
        settings = await read_community_settings(repos, community_id, config)
        local = local_now(now, community.timezone)
        streak_at = parse_time(config.engagement.streak_reminder_time)
        due = [run for run in due_runs(settings, local, streak_at)
               if not await repos.digests.has_run(community_id, run.kind, run.period)]
    return [await _run(db, config, community, settings, run, now, local, recommender) for run in due]


async def _run(
    db: Database, config: Settings, community: Community, settings: EffectiveSettings, due: Due,
    now: dt.datetime, local: dt.datetime, recommender: Recommender | None = None,
) -> Run:
    if recommender is not None and due.kind == MEMBER_DIGEST:
        await recommender.refit_if_due(community.id)  # the picks come from a model that knows today's items
    context = RunContext(config, community, settings, due, now, local, recommender)
    async with db.read() as repos:
        composed, skipped = await COMPOSERS[due.kind](repos, context)
    async with db.transaction() as repos:
        if not await repos.digests.record_run(community.id, due.kind, due.period, now, len(composed), skipped):
            return Run(due.kind, due.period, 0, 0, repeat=True)  # another sweep got there first
        await repos.outbox.enqueue_many([
            {"dedupe_key": n.key, "chat_id": n.chat_id, "community_id": community.id, "kind": n.kind,
             "params": {**n.params, PAID_BROADCAST: True} if n.paid_broadcast else n.params,
             "not_before": n.not_before} for n in composed
        ], now)
        for notice in composed:
            for user_id, badge in notice.badges:
                await award_badge(repos, community.id, user_id, badge, now)
    log.info("%s %s for %s: %s queued, %s skipped", due.kind, due.period, community.id, len(composed), skipped)
    return Run(due.kind, due.period, len(composed), skipped)
