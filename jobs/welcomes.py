"""Batched group welcomes: the first join schedules one message for everyone who joins meanwhile."""

from __future__ import annotations

import logging

from telegram.ext import JobQueue

from bot.clock import Clock
from bot.context import CustomContext
from bot.services.members import do_queue_welcome

log = logging.getLogger(__name__)

# Joins keep postponing the welcome by welcome_delay, up to this many delays after the first.
MAX_WAIT = 4


def welcome_job_name(community_id: int) -> str:
    """Return the stable name of a community's pending welcome job."""
    return f"welcome:{community_id}"


def schedule_welcome(
    job_queue: JobQueue | None, clock: Clock, community_id: int, delay: float, *, postpone: bool = True
) -> None:
    """Send the welcome once joins pause for delay seconds, but no later than MAX_WAIT delays after the first.

    With postpone=False (catching up after a restart) a welcome already waiting is left as it is.
    """
    if job_queue is None:
        return
    name = welcome_job_name(community_id)
    if not postpone and job_queue.get_jobs_by_name(name):
        return
    now = clock.now().timestamp()
    first = now
    for job in job_queue.get_jobs_by_name(name):
        first = min(first, job.data["first"])  # type: ignore[index]
        if now - first >= delay * MAX_WAIT:
            return  # a long trickle of joins: the welcome already waiting goes out as planned
        job.schedule_removal()
    job_queue.run_once(send_welcomes, when=delay, data={"community": community_id, "first": first}, name=name)


async def send_welcomes(context: CustomContext) -> None:
    """Welcome everyone queued for the job's community in one group message."""
    community_id = int(context.job.data["community"])  # type: ignore[union-attr, index]
    named = await do_queue_welcome(context.db, context.clock, context.settings.onboarding, community_id)
    if named:
        log.info("welcome for %s newcomer(s) queued in %s", named, community_id)
