"""Who may run admin commands: the group's Telegram admins (cached) and config owners."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from bot.clock import Clock
from storage.db import Database
from storage.repos import Repos

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdminInfo:
    """One admin as Telegram lists them."""

    user_id: int
    first_name: str
    last_name: str | None
    username: str | None
    is_bot: bool


# Asks Telegram for a group's admins; None when Telegram could not say.
FetchAdmins = Callable[[int], Awaitable[list[AdminInfo] | None]]


class AdminDirectory:
    """Caches each group's admin list in memory and in the memberships table."""

    def __init__(self, db: Database, clock: Clock, fetch: FetchAdmins, ttl: float, owners: Iterable[int]) -> None:
        self._db = db
        self._clock = clock
        self._fetch = fetch
        self._ttl = ttl
        self._owners = frozenset(owners)
        self._cache: dict[int, tuple[float, frozenset[int]]] = {}

    def invalidate(self, chat_id: int) -> None:
        """Forget the cached list so the next check asks Telegram again."""
        self._cache.pop(chat_id, None)

    async def is_admin(self, chat_id: int, user_id: int | None, sender_chat_id: int | None = None) -> bool:
        """Tell whether this sender may act as an admin of the chat."""
        if sender_chat_id is not None:
            # Anonymous admins post as the group itself; a channel posting here is no admin.
            return sender_chat_id == chat_id
        if user_id is None:
            return False
        if user_id in self._owners:
            return True
        return user_id in await self.admin_ids(chat_id)

    async def admin_ids(self, chat_id: int) -> frozenset[int]:
        """Return the chat's admins, from cache when fresh."""
        cached = self._cache.get(chat_id)
        if cached and self._clock.now().timestamp() - cached[0] < self._ttl:
            return cached[1]
        return await self.refresh(chat_id)

    async def refresh(self, chat_id: int) -> frozenset[int]:
        """Fetch the admin list from Telegram and store it; fall back to the stored list."""
        admins = await self._fetch(chat_id)
        if admins is None:
            async with self._db.read() as repos:
                return frozenset(await repos.memberships.admins(chat_id))
        now = self._clock.now()
        async with self._db.transaction() as repos:
            ids = await store_admins(repos, chat_id, admins, now)
        self._cache[chat_id] = (now.timestamp(), ids)
        return ids


async def store_admins(repos: Repos, chat_id: int, admins: list[AdminInfo], now: dt.datetime) -> frozenset[int]:
    """Make these people (bots aside) the community's admins, inside the caller's transaction; return their ids."""
    ids = frozenset(a.user_id for a in admins if not a.is_bot)
    if await repos.communities.get(chat_id) is None:
        return ids
    for admin in admins:
        if not admin.is_bot:
            await repos.users.upsert(admin.user_id, admin.first_name, admin.last_name, admin.username, None, False, now)
    await repos.memberships.set_admins(chat_id, set(ids), now)
    return ids
