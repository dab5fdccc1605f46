"""Users: Telegram accounts the bot has seen, and whether it may write to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import User
from storage.schema import users
from storage.sql import chunks, insert
from storage.transaction import TransactionEvents


class UsersRepo:
    """Read and write the users table."""

    def __init__(self, conn: AsyncConnection, events: TransactionEvents | None = None) -> None:
        self.conn = conn
        self._events = events if events is not None else TransactionEvents()

    async def upsert(
        self,
        id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
        is_bot: bool,
        now: dt.datetime,
    ) -> User:
        """Insert the user or refresh their profile fields; return the stored row.

        Like every write here, the transaction records the user, so caches forget them on commit.
        """
        profile = {
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "language_code": language_code,
            "is_bot": is_bot,
            "updated_at": now,
        }
        stmt = insert(self.conn, users).values(id=id, created_at=now, **profile)
        stmt = stmt.on_conflict_do_update(
            index_elements=[users.c.id],
            set_={
                **{name: stmt.excluded[name] for name in profile},
                # Not every source knows the language (admin lists don't): keep what we had.
                "language_code": sa.func.coalesce(stmt.excluded.language_code, users.c.language_code),
            },
        )
        row = (await self.conn.execute(stmt.returning(*users.c))).one()
        self._events.users_written.add(id)
        return User.from_row(row._mapping)

    async def get(self, id: int) -> User | None:
        """Return the user, or None."""
        row = (await self.conn.execute(sa.select(users).where(users.c.id == id))).first()
        return User.from_row(row._mapping) if row else None

    async def lock(self, id: int) -> None:
        """Hold the user's row until commit (PostgreSQL), so their money steps run one transaction at a time.

        Refunds (the refund window's monthly count, a membership's expiry recomputed from the
        payments still standing, the Supporter badge) and a referrer's paid-newcomer count read
        several rows and write from what they read. FOR NO KEY UPDATE: rows that reference the
        user are still inserted meanwhile. On SQLite the write transaction holds the one write
        lock already: no statement is sent.
        """
        if self.conn.dialect.name != "postgresql":
            return
        await self.conn.execute(sa.select(users.c.id).where(users.c.id == id).with_for_update(key_share=True))

    async def get_many(self, ids: Iterable[int]) -> dict[int, User]:
        """Return the known users among ids, keyed by id."""
        found: dict[int, User] = {}
        for batch in chunks(set(ids)):
            for row in await self.conn.execute(sa.select(users).where(users.c.id.in_(batch))):
                user = User.from_row(row._mapping)
                found[user.id] = user
        return found

    async def mark_started(self, id: int, now: dt.datetime) -> bool:
        """Record the first private /start; True only the first time."""
        result = await self.conn.execute(
            sa.update(users)
            .where(users.c.id == id, users.c.started_at.is_(None))
            .values(started_at=now, updated_at=now)
        )
        self._events.users_written.add(id)
        return result.rowcount == 1

    async def set_blocked(self, id: int, blocked: bool, now: dt.datetime) -> None:
        """Record that the user blocked (or unblocked) the bot."""
        stmt = sa.update(users).where(users.c.id == id)
        if blocked:
            # Keep the first time we noticed; a repeated Forbidden must not move it.
            stmt = stmt.where(users.c.blocked_at.is_(None))
        await self.conn.execute(stmt.values(blocked_at=now if blocked else None, updated_at=now))
        self._events.users_written.add(id)
