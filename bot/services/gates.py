"""Gates over time: removing newcomers who did not accept the rules, and telling admins once."""

from __future__ import annotations

import secrets

from bot.clock import Clock
from bot.services.community_options import GATE_WARNING
from bot.services.notices import queue_notice
from storage.db import Database


async def get_due_gates(db: Database, clock: Clock, limit: int = 100) -> list[tuple[int, int]]:
    """Return (community, user) whose rules gate expired (or whose removal was interrupted)."""
    async with db.read() as repos:
        return await repos.onboarding.due_gates(clock.now(), limit)


async def do_claim_removal(db: Database, clock: Clock, chat_id: int, user_id: int) -> bool:
    """Take an expired gate for removal; False when the rules were accepted meanwhile."""
    async with db.transaction() as repos:
        return await repos.onboarding.claim_removal(chat_id, user_id, clock.now())


async def do_finish_removal(db: Database, clock: Clock, chat_id: int, user_id: int, removed: bool) -> None:
    """Close a gate after the removal was done (or proved impossible)."""
    now = clock.now()
    async with db.transaction() as repos:
        await repos.onboarding.set_gate(chat_id, user_id, None, None, now)
        if removed:
            await repos.memberships.set_status(chat_id, user_id, "left", now)
            await repos.welcomes.remove(chat_id, user_id)


async def do_release_removal(db: Database, clock: Clock, chat_id: int, user_id: int) -> None:
    """Give a removal that failed for a passing reason back to the next pass."""
    async with db.transaction() as repos:
        await repos.onboarding.release_removal(chat_id, user_id, clock.now())


async def do_warn_admins_once(db: Database, clock: Clock, chat_id: int, gate: str) -> bool:
    """Queue a warning that a gate can't work, unless the admins were already told; True if queued."""
    now = clock.now()
    async with db.transaction() as repos:
        if await repos.communities.get(chat_id) is None:
            return False
        if await repos.settings.get(chat_id, GATE_WARNING) is not None:
            return False
        await repos.settings.set(chat_id, GATE_WARNING, now.isoformat(), None, now)
        # The flag above makes this once-only; the key only needs to be new.
        key = f"{GATE_WARNING}:{chat_id}:{now.isoformat()}:{secrets.token_hex(4)}"
        return await queue_notice(repos, key, chat_id, "community/gate_warning", now, gate=gate)


async def do_reset_warning(db: Database, chat_id: int) -> None:
    """Allow a new warning (the bot's rights or the gate changed)."""
    async with db.transaction() as repos:
        await repos.settings.delete(chat_id, GATE_WARNING)
