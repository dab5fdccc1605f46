"""The outbox: Bot API calls that must go out even across restarts, sent at most once per key."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import OutboxMessage
from storage.schema import outbox
from storage.sql import insert

_o = outbox.c

# Enough to diagnose; a full traceback belongs in the log, not the table.
MAX_ERROR_CHARS = 1000


class OutboxRepo:
    """Queue, fetch and settle outbox messages."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def enqueue(
        self,
        dedupe_key: str,
        chat_id: int,
        method: str,
        payload: dict[str, Any],
        now: dt.datetime,
        not_before: dt.datetime | None = None,
    ) -> bool:
        """Queue a call; False (and nothing changes) when dedupe_key was queued before."""
        result = await self.conn.execute(
            insert(self.conn, outbox)
            .values(
                dedupe_key=dedupe_key,
                chat_id=chat_id,
                method=method,
                payload=payload,
                created_at=now,
                not_before=not_before,
                attempts=0,
                status="pending",
            )
            .on_conflict_do_nothing(index_elements=[_o.dedupe_key])
        )
        return result.rowcount == 1

    async def get(self, id: int) -> OutboxMessage | None:
        """Return one message, or None."""
        row = (await self.conn.execute(sa.select(outbox).where(_o.id == id))).first()
        return OutboxMessage.from_row(row._mapping) if row else None

    async def get_by_key(self, dedupe_key: str) -> OutboxMessage | None:
        """Return the message queued under dedupe_key, or None."""
        row = (await self.conn.execute(sa.select(outbox).where(_o.dedupe_key == dedupe_key))).first()
        return OutboxMessage.from_row(row._mapping) if row else None

    async def due(self, now: dt.datetime, limit: int) -> list[OutboxMessage]:
        """Return pending messages whose time has come, oldest first."""
        rows = await self.conn.execute(
            sa.select(outbox)
            .where(_o.status == "pending", sa.or_(_o.not_before.is_(None), _o.not_before <= now))
            .order_by(_o.created_at, _o.id)
            .limit(limit)
        )
        return [OutboxMessage.from_row(row._mapping) for row in rows]

    async def mark_sent(self, id: int, now: dt.datetime) -> None:
        """Record a successful send."""
        await self.conn.execute(
            sa.update(outbox).where(_o.id == id).values(status="sent", sent_at=now, last_error=None)
        )

    async def mark_failed(
        self, id: int, error: str, now: dt.datetime, retry_at: dt.datetime | None
    ) -> None:
        """Record a failed attempt: retry at retry_at, or give up ('failed') when it is None."""
        values: dict[str, Any] = {"attempts": _o.attempts + 1, "last_error": error[:MAX_ERROR_CHARS]}
        if retry_at is None:
            values["status"] = "failed"
        else:
            # Never schedule into the past: that would re-send in the same sweep.
            values["not_before"] = max(retry_at, now)
        await self.conn.execute(sa.update(outbox).where(_o.id == id).values(**values))

    async def count_pending(self) -> int:
        """Count the messages not sent yet, due or not."""
        count = await self.conn.scalar(sa.select(sa.func.count()).select_from(outbox).where(_o.status == "pending"))
        return int(count or 0)
