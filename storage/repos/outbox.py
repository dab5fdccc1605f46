"""The outbox: notices that must go out even across restarts, queued once per key, claimed before sending."""

from __future__ import annotations

import datetime as dt
from collections.abc import Set as AbstractSet
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import OutboxMessage
from storage.schema import outbox
from storage.sql import insert
from storage.transaction import TransactionEvents

_o = outbox.c

# Enough to diagnose; a full traceback belongs in the log, not the table.
MAX_ERROR_CHARS = 1000


def _due(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Pending rows whose time has come, and claims that lapsed (their sender died)."""
    return sa.or_(
        sa.and_(_o.status == "pending", sa.or_(_o.not_before.is_(None), _o.not_before <= now)),
        sa.and_(_o.status == "sending", _o.claimed_until < now),
    )


class OutboxRepo:
    """Queue, claim and settle outbox notices."""

    def __init__(self, conn: AsyncConnection, events: TransactionEvents | None = None) -> None:
        self.conn = conn
        self._events = events

    async def enqueue(
        self,
        dedupe_key: str,
        chat_id: int,
        kind: str,
        params: dict[str, Any],
        now: dt.datetime,
        *,
        community_id: int | None = None,
        not_before: dt.datetime | None = None,
    ) -> bool:
        """Queue a notice; False (and nothing changes) when dedupe_key was queued before."""
        result = await self.conn.execute(
            insert(self.conn, outbox)
            .values(
                dedupe_key=dedupe_key,
                chat_id=chat_id,
                community_id=community_id,
                kind=kind,
                params=params,
                created_at=now,
                not_before=not_before,
                attempts=0,
                status="pending",
            )
            .on_conflict_do_nothing(index_elements=[_o.dedupe_key])
        )
        queued = result.rowcount == 1
        if queued and self._events is not None:
            self._events.outbox_ids.append(result.inserted_primary_key[0])
        return queued

    async def enqueue_many(self, rows: list[dict[str, Any]], now: dt.datetime) -> int:
        """Queue many notices in one statement (keys queued before are skipped); return how many were new.

        Each row has dedupe_key, chat_id, community_id, kind, params and not_before. The new
        rows' ids are not reported to the transaction: the caller wakes the sender itself.
        """
        if not rows:
            return 0
        stmt = insert(self.conn, outbox).on_conflict_do_nothing(index_elements=[_o.dedupe_key])
        result = await self.conn.execute(
            stmt, [{**row, "created_at": now, "attempts": 0, "status": "pending"} for row in rows]
        )
        return max(result.rowcount, 0)

    async def get(self, id: int) -> OutboxMessage | None:
        """Return one notice, or None."""
        row = (await self.conn.execute(sa.select(outbox).where(_o.id == id))).first()
        return OutboxMessage.from_row(row._mapping) if row else None

    async def get_by_key(self, dedupe_key: str) -> OutboxMessage | None:
        """Return the notice queued under dedupe_key, or None."""
        row = (await self.conn.execute(sa.select(outbox).where(_o.dedupe_key == dedupe_key))).first()
        return OutboxMessage.from_row(row._mapping) if row else None

    async def list_for_chat(self, chat_id: int) -> list[OutboxMessage]:
        """Return every notice queued for a chat, oldest first."""
        rows = await self.conn.execute(sa.select(outbox).where(_o.chat_id == chat_id).order_by(_o.id))
        return [OutboxMessage.from_row(row._mapping) for row in rows]

    async def due(self, now: dt.datetime, limit: int) -> list[OutboxMessage]:
        """Return the notices a sender may claim now, oldest first."""
        rows = await self.conn.execute(sa.select(outbox).where(_due(now)).order_by(_o.created_at, _o.id).limit(limit))
        return [OutboxMessage.from_row(row._mapping) for row in rows]

    async def claim(
        self, sender: str, now: dt.datetime, until: dt.datetime, limit: int, ids: list[int] | None = None
    ) -> list[OutboxMessage]:
        """Claim up to limit due notices (of these ids, when given) for sender until `until`.

        Returns the ones it got. The UPDATE repeats the due condition, so a row another
        sender claimed in between (PostgreSQL re-checks it on the locked row) is not taken twice.
        """
        pick = sa.select(_o.id).where(_due(now)).order_by(_o.created_at, _o.id).limit(limit)
        if ids is not None:
            pick = pick.where(_o.id.in_(ids))
        if self.conn.dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        ids = list((await self.conn.execute(pick)).scalars())
        if not ids:
            return []
        await self.conn.execute(
            sa.update(outbox)
            .where(_o.id.in_(ids), _due(now))
            .values(status="sending", claimed_by=sender, claimed_until=until)
        )
        rows = await self.conn.execute(
            sa.select(outbox)
            .where(_o.id.in_(ids), _o.claimed_by == sender, _o.status == "sending", _o.claimed_until == until)
            .order_by(_o.created_at, _o.id)
        )
        return [OutboxMessage.from_row(row._mapping) for row in rows]

    async def claim_heads(
        self, sender: str, now: dt.datetime, until: dt.datetime, limit: int, skip_chats: AbstractSet[int] = frozenset()
    ) -> tuple[list[OutboxMessage], set[int]]:
        """Claim up to limit chats' next notices (the oldest unsent one of each chat, if due) for sender.

        A chat whose oldest live notice is out with a sender has none claimed, so each chat
        gets its notices one at a time and in order. Chats in skip_chats (not ready to take
        another message) are passed over; returns the notices claimed and the skipped chats
        that had one due.
        """
        live = sa.or_(_o.status == "sending", _due(now))
        rank = sa.func.row_number().over(partition_by=_o.chat_id, order_by=_o.id).label("rank")
        ranked = sa.select(_o.id, _o.chat_id, _o.status, _o.claimed_until, _o.created_at, rank).where(live).subquery()
        r = ranked.c
        heads = (
            sa.select(r.id, r.chat_id)
            .where(r.rank == 1, sa.or_(r.status == "pending", r.claimed_until < now))
            .order_by(r.created_at, r.id)
            .limit(limit + len(skip_chats))
        )
        ids: list[int] = []
        waiting: set[int] = set()
        for id, chat_id in (await self.conn.execute(heads)).all():
            if chat_id in skip_chats:
                waiting.add(chat_id)
            elif len(ids) < limit:
                ids.append(id)
        if not ids:
            return [], waiting
        return await self.claim(sender, now, until, limit, ids), waiting

    async def mark_sent(self, id: int, now: dt.datetime, sender: str | None = None) -> bool:
        """Record a successful send (by the claiming sender, when given)."""
        return await self._settle(id, sender, status="sent", sent_at=now, last_error=None)

    async def mark_failed(
        self, id: int, error: str, now: dt.datetime, retry_at: dt.datetime | None, sender: str | None = None
    ) -> bool:
        """Record a failed attempt: retry at retry_at, or give up ('failed') when it is None."""
        values: dict[str, Any] = {"attempts": _o.attempts + 1, "last_error": error[:MAX_ERROR_CHARS]}
        if retry_at is None:
            values["status"] = "failed"
        else:
            # Never schedule into the past: that would re-send in the same sweep.
            values["status"] = "pending"
            values["not_before"] = max(retry_at, now)
        return await self._settle(id, sender, **values)

    async def release(self, id: int, sender: str, retry_at: dt.datetime, reason: str | None = None) -> bool:
        """Give a claimed notice back unsent, to be tried at retry_at (flood wait, shutdown); not an attempt."""
        values: dict[str, Any] = {"status": "pending", "not_before": retry_at}
        if reason is not None:
            values["last_error"] = reason[:MAX_ERROR_CHARS]
        return await self._settle(id, sender, **values)

    async def mark_skipped(self, id: int, reason: str, sender: str | None = None) -> bool:
        """Settle a notice without sending it (its recipient cannot be reached): status 'skipped'."""
        return await self._settle(id, sender, status="skipped", last_error=reason[:MAX_ERROR_CHARS])

    async def _settle(self, id: int, sender: str | None, **values: Any) -> bool:
        where = [_o.id == id]
        if sender is not None:
            where.append(_o.claimed_by == sender)
        values.update(claimed_by=None, claimed_until=None)
        result = await self.conn.execute(sa.update(outbox).where(*where).values(**values))
        return result.rowcount == 1

    async def count_by_status(self, community_id: int, key_pattern: str) -> dict[str, int]:
        """Count a community's notices whose dedupe key matches a LIKE pattern, by status."""
        rows = await self.conn.execute(
            sa.select(_o.status, sa.func.count())
            .where(_o.community_id == community_id, _o.dedupe_key.like(key_pattern))
            .group_by(_o.status)
        )
        return {status: int(count) for status, count in rows}

    async def cancel_pending(self, community_id: int, key_pattern: str, now: dt.datetime) -> int:
        """Take back a community's notices not yet claimed whose key matches a LIKE pattern; return how many."""
        result = await self.conn.execute(
            sa.update(outbox)
            .where(_o.community_id == community_id, _o.dedupe_key.like(key_pattern), _o.status == "pending")
            .values(status="cancelled", last_error="cancelled", sent_at=None)
        )
        return result.rowcount

    async def count_pending(self) -> int:
        """Count the notices not sent yet (waiting, or claimed by a sender), due or not."""
        count = await self.conn.scalar(
            sa.select(sa.func.count()).select_from(outbox).where(_o.status.in_(("pending", "sending")))
        )
        return int(count or 0)
