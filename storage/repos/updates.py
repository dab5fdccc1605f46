"""Received updates: claim an update_id before handling it, mark it done after, prune old rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import received_updates
from storage.sql import insert

_u = received_updates.c

# new: first delivery, handle it; retaken: its earlier worker died (the lease ran out), handle it;
# busy: a live worker is handling it; done: handled already.
ClaimResult = Literal["new", "retaken", "busy", "done"]


class ReceivedUpdatesRepo:
    """One row per received update_id: who handles it and until when, and whether it is done."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def claim(self, update_id: int, worker: str, now: dt.datetime, until: dt.datetime) -> ClaimResult:
        """Claim an update for worker until `until`, unless it is done or a live claim holds it.

        On PostgreSQL a concurrent INSERT of the same id waits for the first one's commit and then
        does nothing, and the UPDATE re-checks the lapsed lease on the locked row: one claim wins.
        """
        inserted = await self.conn.execute(
            insert(self.conn, received_updates)
            .values(update_id=update_id, status="claimed", claimed_by=worker, claimed_until=until, received_at=now)
            .on_conflict_do_nothing(index_elements=[_u.update_id])
        )
        if inserted.rowcount == 1:
            return "new"
        retaken = await self.conn.execute(
            sa.update(received_updates)
            .where(_u.update_id == update_id, _u.status == "claimed", _u.claimed_until < now)
            .values(claimed_by=worker, claimed_until=until)
        )
        if retaken.rowcount == 1:
            return "retaken"
        status = await self.conn.scalar(sa.select(_u.status).where(_u.update_id == update_id))
        return "done" if status == "done" else "busy"

    async def renew(self, update_ids: Collection[int], worker: str, until: dt.datetime) -> int:
        """Extend worker's claims on updates it is still handling; return how many it still holds."""
        if not update_ids:
            return 0
        result = await self.conn.execute(
            sa.update(received_updates)
            .where(_u.update_id.in_(list(update_ids)), _u.claimed_by == worker, _u.status == "claimed")
            .values(claimed_until=until)
        )
        return result.rowcount

    async def finish(self, update_id: int, worker: str, now: dt.datetime) -> bool:
        """Mark worker's claimed update as handled (claimed_by keeps who handled it)."""
        result = await self.conn.execute(
            sa.update(received_updates)
            .where(_u.update_id == update_id, _u.claimed_by == worker, _u.status == "claimed")
            .values(status="done", done_at=now, claimed_until=None)
        )
        return result.rowcount == 1

    async def release(self, update_id: int, worker: str) -> bool:
        """Forget worker's claim on an update it did not handle, so that its redelivery is handled."""
        result = await self.conn.execute(
            sa.delete(received_updates)
            .where(_u.update_id == update_id, _u.claimed_by == worker, _u.status == "claimed")
        )
        return result.rowcount == 1

    async def status(self, update_id: int) -> str | None:
        """Return 'claimed' or 'done' for a received update, None when it was never received."""
        return await self.conn.scalar(sa.select(_u.status).where(_u.update_id == update_id))

    async def count_by_worker(self) -> dict[str, int]:
        """Count the updates each worker handled (or is handling)."""
        rows = await self.conn.execute(sa.select(_u.claimed_by, sa.func.count()).group_by(_u.claimed_by))
        return {worker: int(count) for worker, count in rows if worker is not None}

    async def prune(self, before: dt.datetime) -> int:
        """Delete the rows of updates received before `before` (Telegram redelivers none that old)."""
        result = await self.conn.execute(sa.delete(received_updates).where(_u.received_at < before))
        return result.rowcount
