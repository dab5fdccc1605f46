"""The creator's console: which community an admin's private commands work on."""

from __future__ import annotations

from bot.clock import Clock
from storage.db import Database

# Kept among the admin's own rows in user_settings (not a setting they /set: the picker writes it).
CHOICE_KEY = "console_community"


async def get_console_choice(db: Database, user_id: int) -> int | None:
    """Return the community the admin last picked for private commands, if any."""
    async with db.read() as repos:
        value = await repos.user_settings.get(user_id, CHOICE_KEY)
    return value if isinstance(value, int) else None


async def do_choose_console(db: Database, clock: Clock, user_id: int, community_id: int) -> None:
    """Remember the community the admin's private commands work on."""
    async with db.transaction() as repos:
        await repos.user_settings.set(user_id, CHOICE_KEY, community_id, clock.now())
