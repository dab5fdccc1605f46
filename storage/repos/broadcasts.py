"""Broadcasts: drafts, their move to sending, done or cancelled, and the preview message they edit."""

from __future__ import annotations

import builtins
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Broadcast
from storage.schema import broadcasts

_b = broadcasts.c


class BroadcastsRepo:
    """Read and write the broadcasts table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, community_id: int, admin_id: int, text: str, now: dt.datetime) -> Broadcast:
        """Store a draft; return it."""
        row = (await self.conn.execute(
            sa.insert(broadcasts).values(community_id=community_id, admin_id=admin_id, text=text, status="draft",
                                         recipients=0, created_at=now, updated_at=now).returning(*broadcasts.c)
        )).one()
        return Broadcast.from_row(row._mapping)

    async def get(self, id: int) -> Broadcast | None:
        """Return the broadcast, or None."""
        row = (await self.conn.execute(sa.select(broadcasts).where(_b.id == id))).first()
        return Broadcast.from_row(row._mapping) if row else None

    async def lock(self, id: int) -> Broadcast | None:
        """Return the broadcast and hold its row until commit (PostgreSQL), or None.

        Sending and cancelling read the status to decide what to do with the outbox, so one of
        them waits for the other instead of acting on a status that is changing.
        """
        row = (await self.conn.execute(sa.select(broadcasts).where(_b.id == id).with_for_update())).first()
        return Broadcast.from_row(row._mapping) if row else None

    async def move(self, id: int, old: tuple[str, ...], new: str, now: dt.datetime, **values: object) -> bool:
        """Change the status if it is one of `old`; False when it was not (a second press, say)."""
        result = await self.conn.execute(
            sa.update(broadcasts).where(_b.id == id, _b.status.in_(old)).values(status=new, updated_at=now, **values)
        )
        return result.rowcount == 1

    async def set_message(self, id: int, chat_id: int, message_id: int, now: dt.datetime) -> None:
        """Remember the preview message the progress is shown in."""
        await self.conn.execute(
            sa.update(broadcasts).where(_b.id == id).values(chat_id=chat_id, message_id=message_id, updated_at=now)
        )

    async def in_status(self, status: str) -> builtins.list[Broadcast]:
        """Return the broadcasts in this status, oldest first."""
        rows = await self.conn.execute(sa.select(broadcasts).where(_b.status == status).order_by(_b.id))
        return [Broadcast.from_row(row._mapping) for row in rows]
