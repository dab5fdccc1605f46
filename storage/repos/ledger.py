"""Whole-ledger operations: bulk loads, rebuilding the running totals, and direct aggregates.

The bot's hot paths never use these; they serve imports, repairs, consistency checks and
the benchmarks (the direct aggregates are the slow baseline the running totals replace).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import (
    points_daily,
    points_histogram,
    points_ledger,
    points_members,
    points_state,
    points_windows,
)
from storage.repos.points import PointsRepo
from storage.sql import chunks, insert

_l = points_ledger.c
_m = points_members.c
_w = points_windows.c
_d = points_daily.c

BULK_CHUNK = 50_000


class LedgerRepo:
    """Bulk and aggregate queries over the points ledger and its derived tables."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add_many(self, rows: Iterable[dict[str, Any]]) -> None:
        """Append ledger rows in bulk (keys already present are skipped); totals are not touched.

        The statement is compiled once and the driver gets plain tuples, converted by each
        column type's own bind processor: per-row statement handling would triple the time.
        """
        stmt = insert(self.conn, points_ledger).on_conflict_do_nothing(index_elements=[_l.community_id, _l.idem_key])
        names = [c.name for c in points_ledger.c if c.name != "id"]
        compiled = stmt.values({name: sa.bindparam(name) for name in names}).compile(dialect=self.conn.dialect)
        order = compiled.positiontup or names
        dialect = self.conn.dialect
        processors = [points_ledger.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in order]
        for batch in chunks(rows, BULK_CHUNK):
            params = [
                tuple(p(row[name]) if p else row[name] for name, p in zip(order, processors, strict=True))
                for row in batch
            ]
            await self.conn.exec_driver_sql(compiled.string, params)

    async def rebuild(self, community_id: int, today: int, periods: Sequence[int], now: dt.datetime) -> None:
        """Recompute balances, scores, daily buckets and windows of a community from its ledger."""
        await self.conn.execute(sa.delete(points_daily).where(_d.community_id == community_id))
        await self.conn.execute(
            sa.insert(points_daily).from_select(
                ["community_id", "day", "user_id", "points"],
                sa.select(_l.community_id, _l.day, _l.user_id, sa.func.sum(_l.delta))
                .where(_l.community_id == community_id, _l.scored.is_(True))
                .group_by(_l.community_id, _l.day, _l.user_id),
            )
        )
        await self.conn.execute(
            sa.update(points_members).where(_m.community_id == community_id).values(score=0, balance=0, updated_at=now)
        )
        score = sa.func.sum(sa.case((_l.scored.is_(True), _l.delta), else_=0))
        stmt = insert(self.conn, points_members).from_select(
            ["community_id", "user_id", "score", "balance", "updated_at"],
            sa.select(_l.community_id, _l.user_id, score, sa.func.sum(_l.delta), sa.literal(now, points_members.c.updated_at.type))
            .where(_l.community_id == community_id)
            .group_by(_l.community_id, _l.user_id),
        )
        await self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[_m.community_id, _m.user_id],
                set_={"score": stmt.excluded.score, "balance": stmt.excluded.balance},
            )
        )
        await self.conn.execute(sa.delete(points_windows).where(_w.community_id == community_id))
        for period in periods:
            total = sa.func.sum(_d.points)
            await self.conn.execute(
                sa.insert(points_windows).from_select(
                    ["community_id", "period", "user_id", "total"],
                    sa.select(_d.community_id, sa.literal(period, sa.SmallInteger), _d.user_id, total)
                    .where(_d.community_id == community_id, _d.day.between(today - period + 1, today))
                    .group_by(_d.community_id, _d.user_id)
                    .having(total != 0),
                )
            )
        for period in (0, *periods):
            await PointsRepo(self.conn).rebuild_histogram(community_id, period)
        stmt = insert(self.conn, points_state).values(community_id=community_id, windows_day=today)
        await self.conn.execute(
            stmt.on_conflict_do_update(index_elements=[points_state.c.community_id], set_={"windows_day": today})
        )

    async def sums(self, community_id: int) -> dict[int, tuple[int, int]]:
        """Return {user_id: (score, balance)} summed straight from the ledger."""
        score = sa.func.sum(sa.case((_l.scored.is_(True), _l.delta), else_=0))
        rows = await self.conn.execute(
            sa.select(_l.user_id, score, sa.func.sum(_l.delta))
            .where(_l.community_id == community_id)
            .group_by(_l.user_id)
        )
        return {user_id: (int(s), int(b)) for user_id, s, b in rows}

    async def day_sums(self, community_id: int) -> dict[tuple[int, int], int]:
        """Return {(day, user_id): scored points} summed straight from the ledger."""
        rows = await self.conn.execute(
            sa.select(_l.day, _l.user_id, sa.func.sum(_l.delta))
            .where(_l.community_id == community_id, _l.scored.is_(True))
            .group_by(_l.day, _l.user_id)
        )
        return {(day, user_id): int(points) for day, user_id, points in rows}

    async def keys(self, community_id: int) -> list[str]:
        """Return every idempotency key in the community's ledger (with repeats, if any)."""
        return list((await self.conn.execute(sa.select(_l.idem_key).where(_l.community_id == community_id))).scalars())

    async def member_totals(self, community_id: int) -> dict[int, tuple[int, int]]:
        """Return {user_id: (score, balance)} from the running totals."""
        rows = await self.conn.execute(
            sa.select(_m.user_id, _m.score, _m.balance).where(_m.community_id == community_id)
        )
        return {user_id: (score, balance) for user_id, score, balance in rows}

    async def daily(self, community_id: int) -> dict[tuple[int, int], int]:
        """Return {(day, user_id): points} from the daily buckets."""
        rows = await self.conn.execute(
            sa.select(_d.day, _d.user_id, _d.points).where(_d.community_id == community_id)
        )
        return {(day, user_id): points for day, user_id, points in rows}

    async def histogram(self, community_id: int, period: int) -> dict[int, int]:
        """Return {points: members} of one period's histogram (values nobody holds left out)."""
        rows = await self.conn.execute(
            sa.select(points_histogram.c.points, points_histogram.c.members).where(
                points_histogram.c.community_id == community_id, points_histogram.c.period == period
            )
        )
        return {points: members for points, members in rows if members}

    async def windows(self, community_id: int, period: int) -> dict[int, int]:
        """Return {user_id: total} of one window from the running totals."""
        rows = await self.conn.execute(
            sa.select(_w.user_id, _w.total).where(_w.community_id == community_id, _w.period == period)
        )
        return {user_id: total for user_id, total in rows}

    async def top_from_ledger(self, community_id: int, since_day: int | None, limit: int) -> list[tuple[int, int]]:
        """Return the leaders by a plain GROUP BY over the ledger (the slow baseline)."""
        total = sa.func.sum(_l.delta)
        query = sa.select(_l.user_id, total).where(_l.community_id == community_id, _l.scored.is_(True))
        if since_day is not None:
            query = query.where(_l.day >= since_day)
        rows = await self.conn.execute(query.group_by(_l.user_id).order_by(total.desc()).limit(limit))
        return [(user_id, int(points)) for user_id, points in rows]

    async def with_reason(self, community_id: int, reason: str) -> list[tuple[int, int]]:
        """Return (user_id, delta) of the community's ledger rows with this reason, oldest first."""
        rows = await self.conn.execute(
            sa.select(_l.user_id, _l.delta).where(_l.community_id == community_id, _l.reason == reason).order_by(_l.id)
        )
        return [(int(user_id), int(delta)) for user_id, delta in rows]
