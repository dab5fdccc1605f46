"""The gate pass: remove newcomers who did not accept the rules in time; catch up on welcomes."""

from __future__ import annotations

import logging

from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from bot.context import BotState, CustomContext
from bot.services.gates import do_claim_removal, do_finish_removal, do_release_removal, get_due_gates
from bot.services.members import get_welcome_backlog
from handlers.gates import lacks_rights, warn_admins
from jobs.welcomes import schedule_welcome

log = logging.getLogger(__name__)

GATES_JOB = "gates"


def schedule_gates(app: Application) -> None:
    """Run the gate pass now (deadlines that passed while the bot was down) and then periodically."""
    if app.job_queue is None:
        return
    state: BotState = app.bot_data
    interval = state.settings.onboarding.gate_check_interval
    app.job_queue.run_repeating(enforce_gates, interval=interval, first=0, name=GATES_JOB, job_kwargs={"id": GATES_JOB})


async def enforce_gates(context: CustomContext) -> None:
    """Remove everyone whose rules gate expired (by the injected clock) and send overdue welcomes."""
    state = context.state
    for chat_id, user_id in await get_due_gates(state.db, state.clock):
        if not await do_claim_removal(state.db, state.clock, chat_id, user_id):
            continue
        await _remove(context, chat_id, user_id)
    # Welcomes queued before a restart (or a migration) get their job again.
    for community_id in await get_welcome_backlog(state.db):
        schedule_welcome(context.job_queue, community_id, state.settings.onboarding.welcome_delay)


async def _remove(context: CustomContext, chat_id: int, user_id: int) -> None:
    state = context.state
    try:
        # A ban followed by an unban removes without barring a later rejoin.
        await context.bot.ban_chat_member(chat_id, user_id)
        await context.bot.unban_chat_member(chat_id, user_id, only_if_banned=True)
    except (BadRequest, Forbidden) as exc:
        log.warning("cannot remove %s from %s after the gate timeout: %s", user_id, chat_id, exc)
        await do_finish_removal(state.db, state.clock, chat_id, user_id, removed=False)
        if lacks_rights(exc):
            await warn_admins(context, chat_id, "rules")
        return
    except TelegramError as exc:
        log.warning("removing %s from %s failed for now: %s", user_id, chat_id, exc)
        await do_release_removal(state.db, state.clock, chat_id, user_id)
        return
    await do_finish_removal(state.db, state.clock, chat_id, user_id, removed=True)
    log.info("removed %s from %s: rules not accepted in time", user_id, chat_id)
