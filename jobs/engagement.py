"""The engagement sweep: every community is asked what is due at its local time (digests, the weekly board)."""

from __future__ import annotations

import logging

from bot.context import CustomContext
from bot.services.communities import get_active_community_ids
from bot.services.engagement import do_run_engagement

log = logging.getLogger(__name__)

ENGAGEMENT_JOB = "engagement"


async def run_engagement(context: CustomContext) -> None:
    """Queue the digests and boards that are due now; one community's failure does not stop the others."""
    services = context.services
    for community_id in await get_active_community_ids(services.db):
        try:
            await do_run_engagement(services.db, services.clock, services.settings, community_id,
                                    services.recommender)
        except Exception:
            log.exception("engagement run for %s failed; it is retried on the next sweep", community_id)
    services.outbox.wake()
