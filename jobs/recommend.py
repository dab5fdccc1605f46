"""Refits of the recommendation models: nightly per community, and sooner once its signals grew by 20%."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

from telegram.ext import Application

from bot.context import CustomContext
from bot.leader import leader_only
from bot.schedule import parse_time
from bot.services.communities import get_active_community_ids, get_community

log = logging.getLogger(__name__)

RECOMMEND_CHECK_JOB = "recommend_check"
NIGHTLY_PREFIX = "recommend_nightly:"  # + community id: one stable job per community

# A nightly refit that ran late still runs (within 6 hours), and piled-up runs collapse into one.
NIGHTLY_KWARGS = {"misfire_grace_time": 6 * 3600, "coalesce": True, "replace_existing": True}


def nightly_job_id(community_id: int) -> str:
    """The stable id of a community's nightly refit."""
    return f"{NIGHTLY_PREFIX}{community_id}"


async def refit_nightly(context: CustomContext) -> None:
    """Refit one community's model (its nightly run); a failure is logged and the last model serves."""
    community_id = context.job.data
    await context.services.recommender.refit(community_id)


async def check_recommendations(context: CustomContext) -> None:
    """Refit the communities whose signals grew enough or whose catalog changed; add missing nightly jobs."""
    services = context.services
    for community_id in await get_active_community_ids(services.db):
        await ensure_nightly(context.application, community_id)
        try:
            await services.recommender.refit_if_due(community_id)
        except Exception:
            log.exception("recommendation check for %s failed; it is retried on the next check", community_id)


async def ensure_nightly(app: Application, community_id: int) -> None:
    """Register the community's nightly refit at its local refit time, once."""
    if app.job_queue is None or app.job_queue.get_jobs_by_name(nightly_job_id(community_id)):
        return
    community = await get_community(app.bot_data.db, community_id)
    if community is None:
        return
    at = parse_time(app.bot_data.settings.recommend.refit_time) or dt.time(3, 30)
    try:
        zone = zoneinfo.ZoneInfo(community.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    job_id = nightly_job_id(community_id)
    app.job_queue.run_daily(leader_only(refit_nightly), at.replace(tzinfo=zone), data=community_id, name=job_id,
                            job_kwargs={"id": job_id, **NIGHTLY_KWARGS})
