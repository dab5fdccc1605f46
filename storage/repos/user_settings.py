"""Member preferences: JSON values by key, one row per member and key."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import user_settings
from storage.sql import insert

_u = user_settings.c


class UserSettingsRepo:
    """Read and write the user_settings table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get_all(self, user_id: int) -> dict[str, Any]:
        """Return every stored preference of the member."""
        rows = await self.conn.execute(sa.select(_u.key, _u.value).where(_u.user_id == user_id))
        return {key: value for key, value in rows}

    async def get(self, user_id: int, key: str, default: Any = None) -> Any:
        """Return one preference, or default when it was never set."""
        row = (await self.conn.execute(sa.select(_u.value).where(_u.user_id == user_id, _u.key == key))).first()
        return row.value if row else default

    async def set(self, user_id: int, key: str, value: Any, now: dt.datetime) -> None:
        """Store a JSON-serialisable value for key (the member's row must exist)."""
        stmt = insert(self.conn, user_settings).values(user_id=user_id, key=key, value=value, updated_at=now)
        await self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[_u.user_id, _u.key], set_={"value": stmt.excluded.value, "updated_at": now}
            )
        )

    async def delete(self, user_id: int, key: str) -> bool:
        """Remove a preference so the built-in behaviour applies again; True if it existed."""
        result = await self.conn.execute(sa.delete(user_settings).where(_u.user_id == user_id, _u.key == key))
        return result.rowcount == 1
