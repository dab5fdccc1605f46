"""Content items, their ratings and opens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models_content import ContentItem
from storage.schema import content_items, content_opens, content_ratings
from storage.sql import chunks, insert

_i = content_items.c
_r = content_ratings.c


class ContentRepo:
    """Read and write content_items, content_ratings and content_opens."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, now: dt.datetime, **values: Any) -> ContentItem:
        """Store a new item; return it."""
        row = (
            await self.conn.execute(
                sa.insert(content_items).values(created_at=now, updated_at=now, **values).returning(*content_items.c)
            )
        ).one()
        return ContentItem.from_row(row._mapping)

    async def get(self, item_id: int) -> ContentItem | None:
        """Return the item, or None."""
        row = (await self.conn.execute(sa.select(content_items).where(_i.id == item_id))).first()
        return ContentItem.from_row(row._mapping) if row else None

    async def get_many(self, ids: Iterable[int]) -> dict[int, ContentItem]:
        """Return the items among ids, keyed by id."""
        found: dict[int, ContentItem] = {}
        for batch in chunks(set(ids)):
            for row in await self.conn.execute(sa.select(content_items).where(_i.id.in_(batch))):
                found[row.id] = ContentItem.from_row(row._mapping)
        return found

    async def published(self, community_id: int, offset: int, limit: int) -> list[ContentItem]:
        """Return a page of the community's published items, newest first."""
        rows = await self.conn.execute(
            sa.select(content_items)
            .where(_i.community_id == community_id, _i.status == "published")
            .order_by(_i.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [ContentItem.from_row(row._mapping) for row in rows]

    async def count_published(self, community_id: int) -> int:
        """Count the community's published items."""
        count = await self.conn.scalar(
            sa.select(sa.func.count()).where(_i.community_id == community_id, _i.status == "published")
        )
        return int(count or 0)

    async def update(self, item_id: int, now: dt.datetime, **values: Any) -> None:
        """Change an item's columns."""
        await self.conn.execute(sa.update(content_items).where(_i.id == item_id).values(updated_at=now, **values))

    async def rate(self, community_id: int, item_id: int, user_id: int, rating: int, now: dt.datetime) -> None:
        """Store (or change) a user's 1-5 rating of an item."""
        stmt = insert(self.conn, content_ratings).values(
            item_id=item_id, user_id=user_id, community_id=community_id, rating=rating, created_at=now, updated_at=now
        )
        await self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[_r.item_id, _r.user_id], set_={"rating": rating, "updated_at": now}
            )
        )

    async def rating_of(self, item_id: int, user_id: int) -> int | None:
        """Return the user's rating of the item, if any."""
        return await self.conn.scalar(sa.select(_r.rating).where(_r.item_id == item_id, _r.user_id == user_id))

    async def rating_stats(self, item_ids: Iterable[int]) -> dict[int, tuple[float, int]]:
        """Return (average, count) of ratings per item."""
        stats: dict[int, tuple[float, int]] = {}
        for batch in chunks(set(item_ids)):
            rows = await self.conn.execute(
                sa.select(_r.item_id, sa.func.avg(_r.rating), sa.func.count())
                .where(_r.item_id.in_(batch))
                .group_by(_r.item_id)
            )
            stats.update({item_id: (float(avg), int(n)) for item_id, avg, n in rows})
        return stats

    async def add_open(self, community_id: int, item_id: int, user_id: int, now: dt.datetime) -> None:
        """Record that a user opened an item (a signal for recommendations)."""
        await self.conn.execute(
            sa.insert(content_opens).values(community_id=community_id, item_id=item_id, user_id=user_id, created_at=now)
        )

    async def list_all(self) -> list[ContentItem]:
        """Return every item of every community, unpublished ones included, oldest first (exports and checks)."""
        rows = await self.conn.execute(sa.select(content_items).order_by(_i.id))
        return [ContentItem.from_row(row._mapping) for row in rows]

    async def count_opens(self, item_id: int | None = None) -> int:
        """Count the recorded opens of one item (or of all items)."""
        stmt = sa.select(sa.func.count()).select_from(content_opens)
        if item_id is not None:
            stmt = stmt.where(content_opens.c.item_id == item_id)
        return int(await self.conn.scalar(stmt) or 0)
