"""Forget received updates that Telegram can no longer redeliver."""

from __future__ import annotations

import logging

from bot.context import CustomContext
from bot.services.updates import do_prune_updates

log = logging.getLogger(__name__)

UPDATES_JOB = "received-updates-prune"
UPDATES_INTERVAL = 3600.0


async def prune_updates(context: CustomContext) -> None:
    """Delete the records of updates received more than a day ago."""
    pruned = await do_prune_updates(context.services.db)
    if pruned:
        log.info("forgot %d received updates", pruned)
