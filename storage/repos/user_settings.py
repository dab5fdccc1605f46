"""Member preferences: JSON values by key, one row per member and key."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import communities, user_settings, users
from storage.sql import insert
from storage.transaction import TransactionEvents

_u = user_settings.c

# What the language of a private message depends on, read in one statement.
_LANGUAGE_FACTS = sa.select(
    sa.select(users.c.language_code).where(users.c.id == sa.bindparam("u")).scalar_subquery(),
    sa.select(communities.c.language).where(communities.c.id == sa.bindparam("c")).scalar_subquery(),
    sa.select(_u.value).where(_u.user_id == sa.bindparam("u"), _u.key == sa.bindparam("k")).scalar_subquery(),
)


class UserSettingsRepo:
    """Read and write the user_settings table."""

    def __init__(self, conn: AsyncConnection, events: TransactionEvents | None = None) -> None:
        self.conn = conn
        self._events = events if events is not None else TransactionEvents()

    async def get_all(self, user_id: int) -> dict[str, Any]:
        """Return every stored preference of the member."""
        rows = await self.conn.execute(sa.select(_u.key, _u.value).where(_u.user_id == user_id))
        return {key: value for key, value in rows}

    async def get(self, user_id: int, key: str, default: Any = None) -> Any:
        """Return one preference, or default when it was never set."""
        row = (await self.conn.execute(sa.select(_u.value).where(_u.user_id == user_id, _u.key == key))).first()
        return row.value if row else default

    async def language_facts(
        self, user_id: int, community_id: int | None, key: str
    ) -> tuple[str | None, str | None, Any]:
        """Return (the user's Telegram language, the community's language, their stored preference `key`)."""
        row = (await self.conn.execute(_LANGUAGE_FACTS, {"u": user_id, "c": community_id, "k": key})).one()
        return row[0], row[1], row[2]

    async def set(self, user_id: int, key: str, value: Any, now: dt.datetime) -> None:
        """Store a JSON-serialisable value for key (the member's row must exist)."""
        stmt = insert(self.conn, user_settings).values(user_id=user_id, key=key, value=value, updated_at=now)
        await self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[_u.user_id, _u.key], set_={"value": stmt.excluded.value, "updated_at": now}
            )
        )
        self._events.users_written.add(user_id)

    async def delete(self, user_id: int, key: str) -> bool:
        """Remove a preference so the built-in behaviour applies again; True if it existed."""
        result = await self.conn.execute(sa.delete(user_settings).where(_u.user_id == user_id, _u.key == key))
        self._events.users_written.add(user_id)
        return result.rowcount == 1
