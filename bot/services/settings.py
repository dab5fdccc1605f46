"""Per-community settings that admins change with /set and read with /settings."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.errors import NotFound, Usage
from bot.i18n import LANGUAGES
from bot.services.community_options import OPTION_KEYS, USAGE, do_set_option
from storage.db import Database


@dataclass(frozen=True)
class CommunitySettings:
    """What /settings shows; defaults come from config when the community is registered."""

    title: str
    language: str
    timezone: str
    members: int
    admins: int


async def get_settings(db: Database, chat_id: int) -> CommunitySettings:
    """Return a community's settings."""
    async with db.read() as repos:
        community = await repos.communities.get(chat_id)
        if community is None:
            raise NotFound()
        members = await repos.memberships.count_active(chat_id)
        admins = await repos.memberships.admins(chat_id)
    return CommunitySettings(community.title, community.language, community.timezone, members, len(admins))


def usage_key(key: str) -> str:
    """Return the usage message for /set <key> (the general one for unknown keys)."""
    return USAGE.get(key, "set.usage")


async def do_set_setting(db: Database, clock: Clock, chat_id: int, actor_id: int, key: str, value: str) -> Any:
    """Validate and store one setting, with an audit row; return the stored value."""
    if key in OPTION_KEYS:
        return await do_set_option(db, clock, chat_id, actor_id, key, value)
    value = value.strip()
    now = clock.now()
    if key == "language":
        value = value.lower()
        if value not in LANGUAGES:
            raise Usage("set.bad_language", choices=", ".join(LANGUAGES))
    elif key == "timezone":
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise Usage("set.bad_timezone", value=value) from None
    else:
        raise Usage("set.usage")
    async with db.transaction() as repos:
        if await repos.communities.get(chat_id) is None:
            raise NotFound()
        if key == "language":
            await repos.communities.set_language(chat_id, value, now)  # type: ignore[arg-type]
        else:
            await repos.communities.set_timezone(chat_id, value, now)
        await repos.audit.add(chat_id, actor_id, f"set.{key}", None, {"value": value}, now)
    return value
