"""Reads for the recommender: a community's catalog, signals, interest tags and Q&A texts."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models_recommend import CatalogItem, CommunitySignals, Signal
from storage.schema import (
    answers,
    content_items,
    content_opens,
    content_ratings,
    entitlements,
    onboarding,
    paid_memberships,
    plans,
    questions,
)


class RecommendRepo:
    """Set-wise reads of everything a community's model is fitted on."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def community_signals(self, community_id: int) -> CommunitySignals:
        """Return the published catalog, every signal, the members' interests and their Q&A texts."""
        i = content_items.c
        items = [
            CatalogItem(r.id, r.title, r.description or "", tuple(r.tags or ()), r.created_at)
            for r in await self.conn.execute(
                sa.select(i.id, i.title, i.description, i.tags, i.created_at)
                .where(i.community_id == community_id, i.status == "published").order_by(i.id)
            )
        ]
        o, q, a = onboarding.c, questions.c, answers.c
        interests = {
            r.user_id: tuple(r.tags) for r in await self.conn.execute(
                sa.select(o.user_id, o.tags).where(o.community_id == community_id)) if r.tags
        }
        asked = sa.select(q.asker_id, q.text).where(q.community_id == community_id)
        answered = sa.select(a.author_id, a.text).where(a.community_id == community_id)
        qa = [(r[0], r[1]) for r in await self.conn.execute(asked.union_all(answered))]
        return CommunitySignals(items, await self.signals(community_id), interests, qa)

    async def signals(self, community_id: int) -> list[Signal]:
        """Return opens (counted per member and item), active entitlements and ratings."""
        op, e, r = content_opens.c, entitlements.c, content_ratings.c
        rows = await self.conn.execute(
            sa.select(op.user_id, op.item_id, sa.func.count(), sa.func.max(op.created_at))
            .where(op.community_id == community_id).group_by(op.user_id, op.item_id)
        )
        found = [Signal(user, item, "open", int(n), at) for user, item, n, at in rows]
        rows = await self.conn.execute(
            sa.select(e.user_id, e.item_id, e.source, e.created_at)
            .where(e.community_id == community_id, e.status == "active")
        )
        found += [Signal(user, item, source, 1, at) for user, item, source, at in rows]
        rows = await self.conn.execute(
            sa.select(r.user_id, r.item_id, r.rating, r.updated_at).where(r.community_id == community_id)
        )
        found += [Signal(user, item, "rating", int(rating), at) for user, item, rating, at in rows]
        return found

    async def signal_count(self, community_id: int) -> int:
        """Count the community's signals (opens, active entitlements, ratings) cheaply."""
        op, e, r = content_opens.c, entitlements.c, content_ratings.c
        counts = [
            sa.select(sa.func.count()).select_from(content_opens).where(op.community_id == community_id),
            sa.select(sa.func.count()).select_from(entitlements)
            .where(e.community_id == community_id, e.status == "active"),
            sa.select(sa.func.count()).select_from(content_ratings).where(r.community_id == community_id),
        ]
        return sum([int(await self.conn.scalar(query) or 0) for query in counts])

    async def catalog_version(self, community_id: int) -> tuple[int, int]:
        """Return (published items, highest published id): a change means the model must learn new items."""
        i = content_items.c
        row = (await self.conn.execute(
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(i.id), 0))
            .where(i.community_id == community_id, i.status == "published")
        )).one()
        return int(row[0]), int(row[1])

    async def reach(self, community_id: int, now: dt.datetime) -> tuple[set[int], bool]:
        """Return the members whose paid membership runs, and whether the community sells a plan."""
        m, p = paid_memberships.c, plans.c
        running = {r[0] for r in await self.conn.execute(
            sa.select(m.user_id).where(m.community_id == community_id, m.expires_at > now))}
        selling = await self.conn.scalar(
            sa.select(sa.func.count()).select_from(plans).where(p.community_id == community_id, p.status == "active"))
        return running, bool(selling)
