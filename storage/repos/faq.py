"""FAQ entries: admin-kept questions and answers, numbered per community."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models_qa import FaqEntry
from storage.repos.communities import lock_numbering
from storage.schema import faq_entries
from storage.sql import chunks

_f = faq_entries.c


class FaqRepo:
    """Read and write the faq_entries table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def create(
        self, community_id: int, question: str, answer: str, created_by: int, now: dt.datetime
    ) -> FaqEntry:
        """Insert an entry with the community's next number (the community's row is held until commit)."""
        await lock_numbering(self.conn, community_id)
        number = sa.select(sa.func.coalesce(sa.func.max(_f.number), 0) + 1).where(
            _f.community_id == community_id
        ).scalar_subquery()
        row = (
            await self.conn.execute(
                sa.insert(faq_entries)
                .values(
                    community_id=community_id,
                    number=number,
                    question=question,
                    answer=answer,
                    created_by=created_by,
                    created_at=now,
                )
                .returning(*faq_entries.c)
            )
        ).one()
        return FaqEntry.from_row(row._mapping)

    async def add_many(self, rows: Iterable[dict[str, Any]]) -> None:
        """Insert prepared rows in bulk (imports and benchmarks)."""
        for batch in chunks(rows):
            await self.conn.execute(sa.insert(faq_entries), builtins.list(batch))

    async def by_number(self, community_id: int, number: int) -> FaqEntry | None:
        """Return a live entry by its number, or None."""
        row = (
            await self.conn.execute(
                sa.select(faq_entries).where(
                    _f.community_id == community_id, _f.number == number, _f.deleted_at.is_(None)
                )
            )
        ).first()
        return FaqEntry.from_row(row._mapping) if row else None

    async def get_many(self, ids: Iterable[int]) -> dict[int, FaqEntry]:
        """Return the entries among ids (deleted ones too), keyed by id."""
        found: dict[int, FaqEntry] = {}
        for batch in chunks(set(ids)):
            for row in await self.conn.execute(sa.select(faq_entries).where(_f.id.in_(batch))):
                entry = FaqEntry.from_row(row._mapping)
                found[entry.id] = entry
        return found

    async def delete(self, id: int, now: dt.datetime) -> bool:
        """Mark an entry deleted; False when it already was."""
        result = await self.conn.execute(
            sa.update(faq_entries).where(_f.id == id, _f.deleted_at.is_(None)).values(deleted_at=now)
        )
        return result.rowcount == 1

    async def list(self, community_id: int, offset: int, limit: int) -> builtins.list[FaqEntry]:
        """Return a page of live entries by number."""
        rows = await self.conn.execute(
            sa.select(faq_entries)
            .where(_f.community_id == community_id, _f.deleted_at.is_(None))
            .order_by(_f.number)
            .offset(offset)
            .limit(limit)
        )
        return [FaqEntry.from_row(row._mapping) for row in rows]

    async def count(self, community_id: int) -> int:
        """Count the live entries of a community."""
        count = await self.conn.scalar(
            sa.select(sa.func.count()).select_from(faq_entries).where(
                _f.community_id == community_id, _f.deleted_at.is_(None)
            )
        )
        return int(count or 0)

    async def texts(self, community_id: int) -> builtins.list[tuple[int, str, str]]:
        """Return (id, question, answer) of every live entry, for the search index."""
        rows = await self.conn.execute(
            sa.select(_f.id, _f.question, _f.answer)
            .where(_f.community_id == community_id, _f.deleted_at.is_(None))
            .order_by(_f.id)
        )
        return [(id, question, answer) for id, question, answer in rows]
