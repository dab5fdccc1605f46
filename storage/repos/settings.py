"""Per-community settings: JSON values by key, overriding the config defaults."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import community_settings
from storage.sql import insert

_s = community_settings.c


class SettingsRepo:
    """Read and write the community_settings table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get_all(self, community_id: int) -> dict[str, Any]:
        """Return every stored setting of the community."""
        rows = await self.conn.execute(sa.select(_s.key, _s.value).where(_s.community_id == community_id))
        return {key: value for key, value in rows}

    async def get(self, community_id: int, key: str, default: Any = None) -> Any:
        """Return one setting, or default when it was never set."""
        row = (
            await self.conn.execute(sa.select(_s.value).where(_s.community_id == community_id, _s.key == key))
        ).first()
        return row.value if row else default

    async def set(self, community_id: int, key: str, value: Any, by: int | None, now: dt.datetime) -> None:
        """Store a JSON-serialisable value for key, recording who changed it."""
        stmt = insert(self.conn, community_settings).values(
            community_id=community_id, key=key, value=value, updated_at=now, updated_by=by
        )
        await self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[_s.community_id, _s.key],
                set_={"value": stmt.excluded.value, "updated_at": now, "updated_by": by},
            )
        )

    async def delete(self, community_id: int, key: str) -> bool:
        """Remove a setting so the default applies again; True if it existed."""
        result = await self.conn.execute(
            sa.delete(community_settings).where(_s.community_id == community_id, _s.key == key)
        )
        return result.rowcount == 1
