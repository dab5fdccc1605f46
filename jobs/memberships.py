"""The membership pass: tell members whose membership ended, remove them after the grace period."""

from __future__ import annotations

import logging

from bot.context import CustomContext
from bot.services.expiry import do_claim_lapse, do_finish_lapse, do_tell_lapses, get_due_lapses

log = logging.getLogger(__name__)

LAPSES_JOB = "membership_lapses"


async def enforce_lapses(context: CustomContext) -> None:
    """Tell lapsed members once; where joining needs a plan, remove those whose grace period is over."""
    services = context.services
    db, clock, settings = services.db, services.clock, services.settings
    await do_tell_lapses(db, clock, settings)
    for community_id, user_id in await get_due_lapses(db, clock, settings):
        if not await do_claim_lapse(db, clock, settings, community_id, user_id):
            continue
        removed = await services.gateway.remove_member(community_id, user_id)
        await do_finish_lapse(db, clock, community_id, user_id, removed)
        if removed:
            log.info("removed %s from %s: membership ended and was not renewed", user_id, community_id)
