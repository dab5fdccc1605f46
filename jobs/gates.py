"""The gate pass: remove newcomers who did not accept the rules in time; catch up on welcomes."""

from __future__ import annotations

import logging

from bot.context import CustomContext
from bot.services.gates import do_claim_removal, do_finish_removal, do_release_removal, get_due_gates
from bot.services.members import get_welcome_backlog
from jobs.welcomes import schedule_welcome

log = logging.getLogger(__name__)

GATES_JOB = "gates"


async def enforce_gates(context: CustomContext) -> None:
    """Remove everyone whose rules gate expired (by the injected clock) and send overdue welcomes."""
    services = context.services
    for chat_id, user_id in await get_due_gates(services.db, services.clock):
        if not await do_claim_removal(services.db, services.clock, chat_id, user_id):
            continue
        removed = await services.gateway.remove_member(chat_id, user_id)
        if removed is None:
            await do_release_removal(services.db, services.clock, chat_id, user_id)
            continue
        await do_finish_removal(services.db, services.clock, chat_id, user_id, removed=removed)
        if removed:
            log.info("removed %s from %s: rules not accepted in time", user_id, chat_id)
    # Welcomes queued before a restart (or a migration) get their job again.
    for community_id in await get_welcome_backlog(services.db):
        schedule_welcome(
            context.job_queue, services.clock, community_id, services.settings.onboarding.welcome_delay, postpone=False
        )
