"""Leaderboard reads over the running totals: the top of a period, a member's rank, and both at once."""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.repos.prepared import PreparedSelect
from storage.schema import communities, points_histogram, points_members, points_state, points_windows, users

_m = points_members.c
_w = points_windows.c
_h = points_histogram.c
_s = points_state.c

ALL_TIME = 0


class BoardRows(NamedTuple):
    """A board read in one statement: the community's clock (None: no such community), leaders, viewer."""

    timezone: str | None
    windows_day: int | None
    top: list[tuple[int, int, str]]
    rank: tuple[int, int] | None


def _name(first_name: str, last_name: str | None) -> str:
    return f"{first_name} {last_name}" if last_name else first_name


def _top(period_all: bool) -> sa.Select:
    """Top n of a period: an index range scan on (community, [period,] points, user), best first."""
    if period_all:
        return (
            sa.select(_m.user_id, _m.score.label("points"), users.c.first_name, users.c.last_name)
            .join(users, users.c.id == _m.user_id)
            .where(_m.community_id == sa.bindparam("c"), _m.score > 0)
            .order_by(_m.score.desc(), _m.user_id.desc())
            .limit(sa.bindparam("n"))
        )
    return (
        sa.select(_w.user_id, _w.total.label("points"), users.c.first_name, users.c.last_name)
        .join(users, users.c.id == _w.user_id)
        .where(_w.community_id == sa.bindparam("c"), _w.period == sa.bindparam("p"), _w.total > 0)
        .order_by(_w.total.desc(), _w.user_id.desc())
        .limit(sa.bindparam("n"))
    )


def _mine(period_all: bool) -> sa.ScalarSelect:
    """The viewer's points in the period (NULL: none)."""
    if period_all:
        return sa.select(_m.score).where(_m.community_id == sa.bindparam("c"), _m.user_id == sa.bindparam("u"))\
            .scalar_subquery()
    return (
        sa.select(_w.total)
        .where(_w.community_id == sa.bindparam("c"), _w.period == sa.bindparam("p"), _w.user_id == sa.bindparam("u"))
        .scalar_subquery()
    )


def _above(period_all: bool) -> sa.ScalarSelect:
    """How many members have more points than the viewer: summed from the histogram, not counted row by row."""
    period = sa.literal(ALL_TIME, sa.SmallInteger) if period_all else sa.bindparam("p")
    return (
        sa.select(sa.func.coalesce(sa.func.sum(_h.members), 0))
        .where(_h.community_id == sa.bindparam("c"), _h.period == period, _h.points > _mine(period_all))
        .scalar_subquery()
    )


def _rank(period_all: bool) -> sa.Select:
    return sa.select(_mine(period_all).label("points"), _above(period_all).label("above"))


def _standing(period_all: bool) -> sa.Select:
    """Leaders, the viewer's points and members above, and the community's clock, in one statement.

    The leaders are LEFT JOINed to a one-row anchor, so the other columns (uncorrelated
    scalar subqueries, evaluated once) come back even when nobody has points.
    """
    top = _top(period_all).subquery("t")
    anchor = sa.select(sa.literal(1).label("one")).subquery("anchor")
    timezone = sa.select(communities.c.timezone).where(communities.c.id == sa.bindparam("c")).scalar_subquery()
    windows_day = sa.select(_s.windows_day).where(_s.community_id == sa.bindparam("c")).scalar_subquery()
    return (
        sa.select(
            top.c.user_id, top.c.points, top.c.first_name, top.c.last_name,
            _mine(period_all).label("mine"), _above(period_all).label("above"),
            timezone.label("timezone"), windows_day.label("windows_day"),
        )
        .select_from(anchor.outerjoin(top, sa.true()))
        .order_by(top.c.points.desc(), top.c.user_id.desc())
    )


_TOP = {True: _top(True), False: _top(False)}
_RANK = {True: _rank(True), False: _rank(False)}
# /top's statement runs compiled once, in one driver call (see storage.repos.prepared).
_STANDING = {True: PreparedSelect(_standing(True)), False: PreparedSelect(_standing(False))}


def _params(community_id: int, period: int, **more: object) -> dict[str, object]:
    return {"c": community_id, **({} if period == ALL_TIME else {"p": period}), **more}


def _ranked(points: int | None, above: int) -> tuple[int, int] | None:
    return None if points is None or points <= 0 else (1 + above, points)


class BoardsRepo:
    """Read leaderboards and ranks (0 = all time, else a window of days)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def top(self, community_id: int, period: int, limit: int) -> list[tuple[int, int, str]]:
        """Return (user_id, points, name) of the leaders of a period, best first."""
        rows = await self.conn.execute(_TOP[period == ALL_TIME], _params(community_id, period, n=limit))
        return [(row.user_id, row.points, _name(row.first_name, row.last_name)) for row in rows]

    async def rank(self, community_id: int, period: int, user_id: int) -> tuple[int, int] | None:
        """Return (rank, points) in a period: 1 + members with more, or None without points."""
        row = (await self.conn.execute(_RANK[period == ALL_TIME], _params(community_id, period, u=user_id))).one()
        return _ranked(row.points, row.above)

    async def standing(self, community_id: int, period: int, limit: int, user_id: int | None) -> BoardRows:
        """Return the leaders, the viewer's (rank, points) and the community's clock, in one statement.

        It reads one snapshot on its own, so it may run in Database.snapshot().
        """
        rows = await _STANDING[period == ALL_TIME].rows(self.conn, _params(community_id, period, n=limit, u=user_id))
        first = rows[0]
        top = [(r.user_id, r.points, _name(r.first_name, r.last_name)) for r in rows if r.user_id is not None]
        rank = _ranked(first.mine, first.above) if user_id is not None else None
        return BoardRows(first.timezone, first.windows_day, top, rank)
