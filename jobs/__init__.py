"""Scheduled work: every periodic job is registered here, under a stable id."""

from __future__ import annotations

from telegram.ext import Application

from bot.context import Services
from jobs.broadcasts import BROADCAST_JOB, show_broadcast_progress
from jobs.engagement import ENGAGEMENT_JOB, run_engagement
from jobs.gates import GATES_JOB, enforce_gates
from jobs.memberships import LAPSES_JOB, enforce_lapses
from jobs.outbox import OUTBOX_JOB, wake_outbox
from jobs.paid_questions import PAID_QUESTIONS_JOB, refund_unanswered
from jobs.payments import DELIVERY_JOB, retry_deliveries
from jobs.recommend import RECOMMEND_CHECK_JOB, check_recommendations


def schedule_jobs(app: Application) -> None:
    """Register the periodic jobs (replacing any of the same id)."""
    if app.job_queue is None:
        return
    services: Services = app.bot_data
    settings = services.settings
    periodic = (
        (OUTBOX_JOB, wake_outbox, settings.bot.outbox_interval, None),
        (DELIVERY_JOB, retry_deliveries, settings.payments.delivery_interval, None),
        (BROADCAST_JOB, show_broadcast_progress, settings.bot.outbox_interval, None),
        # first=0: deadlines that passed while the bot was down are enforced at start.
        (GATES_JOB, enforce_gates, settings.onboarding.gate_check_interval, 0),
        # first=0: a digest missed while the bot was down goes out at start (same local day only).
        (ENGAGEMENT_JOB, run_engagement, settings.engagement.check_interval, 0),
        # first=0: memberships that ended while the bot was down are told (and enforced) at start.
        (LAPSES_JOB, enforce_lapses, settings.engagement.check_interval, 0),
        # first=0: every community's model is fitted at start, and its nightly refit registered.
        (RECOMMEND_CHECK_JOB, check_recommendations, settings.recommend.check_interval, 0),
        # first=0: paid questions whose deadline passed while the bot was down are refunded at start.
        (PAID_QUESTIONS_JOB, refund_unanswered, settings.payments.ask_check_interval, 0),
    )
    for job_id, callback, interval, first in periodic:
        # A late run still runs (APScheduler's default grace of 1 s would skip it silently), and
        # runs that piled up while the loop was busy collapse into one: every pass is idempotent.
        app.job_queue.run_repeating(
            callback, interval=interval, first=first, name=job_id,
            job_kwargs={"id": job_id, "replace_existing": True, "misfire_grace_time": None, "coalesce": True},
        )
