"""Pending welcomes: joins waiting for the next (batched) welcome message."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import User
from storage.schema import pending_welcomes, users
from storage.sql import insert, row_dict

_p = pending_welcomes.c


class WelcomesRepo:
    """Read and write the pending_welcomes table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, community_id: int, user_id: int, now: dt.datetime) -> bool:
        """Queue a join for the next welcome; False when it is already queued."""
        result = await self.conn.execute(
            insert(self.conn, pending_welcomes)
            .values(community_id=community_id, user_id=user_id, created_at=now)
            .on_conflict_do_nothing(index_elements=[_p.community_id, _p.user_id])
        )
        return result.rowcount == 1

    async def remove(self, community_id: int, user_id: int) -> None:
        """Forget a queued join (the person left before being welcomed)."""
        await self.conn.execute(
            sa.delete(pending_welcomes).where(_p.community_id == community_id, _p.user_id == user_id)
        )

    async def pending(self, community_id: int, limit: int = 200) -> list[tuple[int, User]]:
        """Return (queue id, user) of the community's queued joins, oldest first."""
        rows = await self.conn.execute(
            sa.select(_p.id, users)
            .join(users, users.c.id == _p.user_id)
            .where(_p.community_id == community_id)
            .order_by(_p.id)
            .limit(limit)
        )
        return [(row.id, User.from_row(row_dict(row, users))) for row in rows]

    async def take(self, community_id: int, upto_id: int) -> int:
        """Remove the community's queued joins up to upto_id; return how many there were."""
        result = await self.conn.execute(
            sa.delete(pending_welcomes).where(_p.community_id == community_id, _p.id <= upto_id)
        )
        return result.rowcount

    async def communities(self) -> list[int]:
        """Return the communities with queued joins."""
        rows = await self.conn.execute(sa.select(_p.community_id).distinct())
        return list(rows.scalars())
