"""Batched group welcomes: the first join schedules one message for everyone who joins meanwhile."""

from __future__ import annotations

import html
import logging
import time

from telegram.ext import JobQueue

from bot.context import CustomContext
from bot.i18n import Raw
from bot.services.badges import mention
from bot.services.members import WelcomeBatch, do_queue_welcome, get_welcome_batch

log = logging.getLogger(__name__)

# Joins keep postponing the welcome by welcome_delay, up to this many delays after the first.
MAX_WAIT = 4


def welcome_job_name(community_id: int) -> str:
    """Return the stable name of a community's pending welcome job."""
    return f"welcome:{community_id}"


def schedule_welcome(job_queue: JobQueue | None, community_id: int, delay: float) -> None:
    """Send the welcome once joins pause for delay seconds, but no later than MAX_WAIT delays after the first."""
    if job_queue is None:
        return
    name = welcome_job_name(community_id)
    now = time.monotonic()
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
    state = context.state
    batch = await get_welcome_batch(state.db, state.settings.onboarding, community_id)
    if batch is None:
        return
    text, markup = render_welcome(context, batch)
    if await do_queue_welcome(state.db, state.clock, community_id, batch.upto_id, text, markup):
        log.info("welcome for %s newcomer(s) queued in %s", len(batch.users), community_id)
        await state.outbox.drain()


def render_welcome(context: CustomContext, batch: WelcomeBatch) -> tuple[str, dict]:
    """Return the welcome's HTML text (newcomers mentioned) and its deep-link button."""
    t, lang = context.state.t, batch.community.language
    limit = context.settings.onboarding.welcome_max_mentions
    names = ", ".join(mention(u.id, u.full_name) for u in batch.users[:limit])
    if len(batch.users) > limit:
        names += t(lang, "welcome.more", count=len(batch.users) - limit)
    text = t(lang, "welcome.greeting", title=batch.community.title, names=Raw(names))
    body = html.escape(batch.welcome, quote=False) if batch.welcome else t(lang, "welcome.body")
    url = f"https://t.me/{context.bot.username}?start=join_{batch.community.id}"
    markup = {"inline_keyboard": [[{"text": t(lang, "welcome.button"), "url": url}]]}
    return f"{text}\n\n{body}", markup
