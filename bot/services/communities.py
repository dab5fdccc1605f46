"""Communities: registering a group when the bot is added, and leaving it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.clock import Clock
from bot.services.admins import AdminInfo, store_admins
from bot.services.notices import queue_notice
from bot.services.user_reads import REACHABLE, UserReads
from storage.db import Database
from storage.models import Community, Membership, User
from storage.repos import Repos


@dataclass(frozen=True)
class ChatInfo:
    """The parts of a Telegram chat the community keeps."""

    id: int
    title: str
    chat_type: str
    username: str | None


@dataclass(frozen=True)
class UserInfo:
    """The parts of a Telegram user the bot keeps."""

    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    is_bot: bool = False


async def do_register_community(
    db: Database, clock: Clock, chat: ChatInfo, missing_rights: list[str], greeting_key: str,
    admins: list[AdminInfo] | None = None,
) -> tuple[Community, bool]:
    """Register (or reactivate) a community with its admins (when Telegram listed them); queue the
    greeting (naming the rights missing) once per addition — in one transaction, so nobody reads the
    greeting before the admins are known."""
    now = clock.now()
    async with db.transaction() as repos:
        community, added = await repos.communities.register(chat.id, chat.title, chat.chat_type, chat.username, now)
        if admins is not None:
            await store_admins(repos, chat.id, admins, now)
        if added:
            await queue_notice(
                repos, greeting_key, chat.id, "community/greeting", now, title=chat.title, missing_rights=missing_rights
            )
    return community, added


async def do_leave_community(db: Database, clock: Clock, chat_id: int) -> None:
    """Mark a community inactive when the bot is removed; nothing is deleted."""
    async with db.transaction() as repos:
        await repos.communities.mark_left(chat_id, clock.now())


async def get_active_community_ids(db: Database) -> list[int]:
    """Return the ids of every active community."""
    async with db.read() as repos:
        return await repos.communities.active_ids()


async def get_community(db: Database, chat_id: int) -> Community | None:
    """Return the community for a chat id, if registered."""
    async with db.read() as repos:
        return await repos.communities.get(chat_id)


async def get_reachable(db: Database, user_id: int) -> bool:
    """Tell whether the bot may write to the user in private (they started it and did not block it)."""
    async with db.read() as repos:
        user = await repos.users.get(user_id)
    return user is not None and user.started_at is not None and user.blocked_at is None


async def do_mark_reachable(db: Database, clock: Clock, user_id: int, cache: UserReads | None = None) -> bool:
    """Clear a member's blocked mark once they write to the bot in private again; True when it was set.

    The usual case costs nothing: cache remembers the members known not to be blocked.
    """
    if cache is not None and cache.get(REACHABLE, user_id) is True:
        return False
    generation = cache.generation if cache is not None else 0
    async with db.read() as repos:
        user = await repos.users.get(user_id)
    if user is None or user.blocked_at is None:
        if cache is not None and user is not None:
            cache.keep(REACHABLE, user_id, True, generation)
        return False  # one read, no write
    async with db.transaction() as repos:
        await repos.users.set_blocked(user_id, False, clock.now())
    return True


async def do_mark_unreachable(db: Database, clock: Clock, user_id: int) -> None:
    """Record that a member blocked the bot: their private notices are skipped until they write again."""
    async with db.transaction() as repos:
        await repos.users.set_blocked(user_id, True, clock.now())


async def do_start_user(db: Database, clock: Clock, user: UserInfo) -> tuple[User, list[tuple[Community, Membership]]]:
    """Record that a user started the bot; return their communities."""
    now = clock.now()
    async with db.transaction() as repos:
        stored = await repos.users.upsert(
            user.id, user.first_name, user.last_name, user.username, user.language_code, user.is_bot, now
        )
        if stored.started_at is None or stored.blocked_at is not None:
            await repos.users.mark_started(user.id, now)
            await repos.users.set_blocked(user.id, False, now)
            stored = await repos.users.get(user.id) or stored
        communities = await repos.communities.list_for_user(user.id)
    return stored, communities


async def ensure_user(repos: Repos, user: UserInfo, now: dt.datetime) -> User:
    """Store the user row a foreign key needs, if it is missing; return the stored row."""
    stored = await repos.users.get(user.id)
    if stored is None:
        stored = await repos.users.upsert(
            user.id, user.first_name, user.last_name, user.username, user.language_code, user.is_bot, now
        )
    return stored
