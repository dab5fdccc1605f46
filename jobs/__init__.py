"""Scheduled work: every periodic job is registered here, under a stable id.

Every worker registers them; only the leader's runs do anything (bot/leader.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import Application

from bot.context import Services
from bot.leader import leader_only
from jobs.broadcasts import BROADCAST_JOB, show_broadcast_progress
from jobs.engagement import ENGAGEMENT_JOB, run_engagement
from jobs.gates import GATES_JOB, enforce_gates
from jobs.memberships import LAPSES_JOB, enforce_lapses
from jobs.outbox import OUTBOX_JOB, wake_outbox
from jobs.paid_questions import PAID_QUESTIONS_JOB, refund_unanswered
from jobs.payments import DELIVERY_JOB, retry_deliveries
from jobs.recommend import RECOMMEND_CHECK_JOB, check_recommendations
from jobs.updates import UPDATES_INTERVAL, UPDATES_JOB, prune_updates


AT_START = ":start"  # the id suffix of a periodic job's run at start


def _periodic(app: Application) -> tuple[tuple[str, Callable[[Any], Awaitable[None]], float, bool], ...]:
    services: Services = app.bot_data
    settings = services.settings
    return (
        (OUTBOX_JOB, wake_outbox, settings.bot.outbox_interval, False),
        (DELIVERY_JOB, retry_deliveries, settings.payments.delivery_interval, False),
        (BROADCAST_JOB, show_broadcast_progress, settings.bot.outbox_interval, False),
        # True: also once at start — deadlines that passed while the bot was down are enforced,
        (GATES_JOB, enforce_gates, settings.onboarding.gate_check_interval, True),
        # a digest missed while the bot was down goes out (same local day only),
        (ENGAGEMENT_JOB, run_engagement, settings.engagement.check_interval, True),
        # memberships that ended while the bot was down are told (and enforced),
        (LAPSES_JOB, enforce_lapses, settings.engagement.check_interval, True),
        # every community's model is fitted and its nightly refit registered.
        (RECOMMEND_CHECK_JOB, check_recommendations, settings.recommend.check_interval, True),
        # paid questions whose deadline passed while the bot was down are refunded.
        (PAID_QUESTIONS_JOB, refund_unanswered, settings.payments.ask_check_interval, True),
        # records of received updates older than Telegram's redeliveries are deleted.
        (UPDATES_JOB, prune_updates, UPDATES_INTERVAL, False),
    )


def schedule_jobs(app: Application) -> None:
    """Register the periodic jobs and their runs at start (replacing any of the same id)."""
    if app.job_queue is None:
        return
    for job_id, callback, interval, _ in _periodic(app):
        # A late run still runs (APScheduler's default grace of 1 s would skip it silently), and
        # runs that piled up while the loop was busy collapse into one: every pass is idempotent.
        app.job_queue.run_repeating(
            leader_only(callback), interval=interval, name=job_id,
            job_kwargs={"id": job_id, "replace_existing": True, "misfire_grace_time": None, "coalesce": True},
        )
    schedule_at_start(app)


def schedule_at_start(app: Application) -> None:
    """Run the jobs that catch up on what passed while no leader ran (at start, and when taking over)."""
    if app.job_queue is None:
        return
    for job_id, callback, _, at_start in _periodic(app):
        if at_start:
            # Not run_repeating(first=0): once the scheduler starts, that first time lies in the past
            # and APScheduler's interval trigger skips to the next interval.
            once = f"{job_id}{AT_START}"
            app.job_queue.run_once(
                leader_only(callback), when=0, name=once,
                job_kwargs={"id": once, "replace_existing": True, "misfire_grace_time": None},
            )
