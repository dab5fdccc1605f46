"""Badges: each member earns each badge at most once per community."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import badges
from storage.sql import insert

_b = badges.c


class BadgesRepo:
    """Award and list badges."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, community_id: int, user_id: int, badge: str, now: dt.datetime) -> bool:
        """Award a badge; False when the member already has it."""
        result = await self.conn.execute(
            insert(self.conn, badges)
            .values(community_id=community_id, user_id=user_id, badge=badge, awarded_at=now)
            .on_conflict_do_nothing(index_elements=[_b.community_id, _b.user_id, _b.badge])
        )
        return result.rowcount == 1

    async def remove(self, community_id: int, user_id: int, badge: str) -> bool:
        """Take a badge back; False when the member did not have it."""
        result = await self.conn.execute(
            sa.delete(badges).where(_b.community_id == community_id, _b.user_id == user_id, _b.badge == badge)
        )
        return result.rowcount == 1

    async def of(self, community_id: int, user_id: int) -> list[str]:
        """Return the member's badges, oldest first."""
        rows = await self.conn.execute(
            sa.select(_b.badge)
            .where(_b.community_id == community_id, _b.user_id == user_id)
            .order_by(_b.awarded_at, _b.badge)
        )
        return list(rows.scalars())
