"""Points: the ledger and the running totals that keep balances and leaderboards fast."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import (
    communities,
    memberships,
    message_authors,
    points_daily,
    points_histogram,
    points_ledger,
    points_members,
    points_state,
    points_windows,
    users,
)
from storage.repos.boards import ALL_TIME, BoardsRepo
from storage.repos.many import ManyRows
from storage.sql import chunks, grouped, grouped_params, insert

_l = points_ledger.c
_m = points_members.c
_w = points_windows.c
_d = points_daily.c
_s = points_state.c
_a = message_authors.c
_h = points_histogram.c



class MemberPoints(NamedTuple):
    """A member's running totals, streak and the counters behind cooldowns and caps."""

    community_id: int
    user_id: int
    score: int = 0
    balance: int = 0
    level: int = 1
    streak: int = 0
    best_streak: int = 0
    checkin_day: int | None = None
    last_message_at: dt.datetime | None = None
    message_day: int | None = None
    message_count: int = 0
    given_day: int | None = None
    given_count: int = 0
    question_day: int | None = None
    question_count: int = 0


class CommunityPoints(NamedTuple):
    """What a write needs to know about a community: its clock, language and windows' day."""

    title: str
    timezone: str
    language: str
    active: bool
    windows_day: int | None


_MEMBER_COLUMNS = [points_members.c[name] for name in MemberPoints._fields]


def _member(row: sa.Row) -> MemberPoints:
    return MemberPoints(*(row._mapping[column] for column in _MEMBER_COLUMNS))


# The hot path's statements are built once: building a Core statement costs more than
# running it on SQLite.
def _ids() -> sa.BindParameter:
    return sa.bindparam("ids", expanding=True)


_SELECT_COMMUNITIES = (
    sa.select(*(communities.c[n] for n in ("id", "title", "timezone", "language", "status")), _s.windows_day)
    .select_from(communities)
    .outerjoin(points_state, _s.community_id == communities.c.id)
    .where(communities.c.id.in_(_ids()))
)


_WINDOW_COLUMNS = ("community_id", "period", "user_id", "total")
_SELECT_AUTHORS = sa.select(_a.message_id, _a.user_id).where(
    _a.community_id == sa.bindparam("c"), _a.message_id.in_(_ids())
)


LEDGER_COLUMNS = ("community_id", "user_id", "delta", "scored", "reason", "ref", "idem_key", "day", "created_at")
_MEMBER_FIELDS = (*MemberPoints._fields, "updated_at")


def _upsert(table: sa.Table, keys: Sequence[str], values: Callable[[Any], dict[str, Any]]) -> Callable:
    def build(conn: AsyncConnection) -> sa.Insert:
        stmt = insert(conn, table)
        return stmt.on_conflict_do_update(index_elements=[table.c[k] for k in keys], set_=values(stmt.excluded))

    return build


_LEDGER = ManyRows(
    points_ledger,
    LEDGER_COLUMNS,
    lambda conn: insert(conn, points_ledger).on_conflict_do_nothing(index_elements=[_l.community_id, _l.idem_key]),
)
_MEMBERS = ManyRows(
    points_members,
    _MEMBER_FIELDS,
    _upsert(
        points_members,
        ("community_id", "user_id"),
        lambda new: {n: new[n] for n in _MEMBER_FIELDS if n not in ("community_id", "user_id")},
    ),
)
_WINDOWS = ManyRows(
    points_windows,
    ("community_id", "period", "user_id", "total"),
    _upsert(points_windows, ("community_id", "period", "user_id"), lambda new: {"total": new.total}),
)
_DAYS = ManyRows(
    points_daily,
    ("community_id", "day", "user_id", "points"),
    _upsert(points_daily, ("community_id", "day", "user_id"), lambda new: {"points": _d.points + new.points}),
)
_AUTHORS = ManyRows(
    message_authors,
    ("community_id", "message_id", "user_id", "day"),
    _upsert(message_authors, ("community_id", "message_id"), lambda new: {"user_id": new.user_id, "day": new.day}),
)
_HISTOGRAM = ManyRows(
    points_histogram,
    ("community_id", "period", "points", "members"),
    _upsert(points_histogram, ("community_id", "period", "points"), lambda new: {"members": _h.members + new.members}),
)


class PointsRepo:
    """Read and write the ledger, member totals, windows, daily buckets and message authors."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def communities(self, community_ids: Iterable[int]) -> dict[int, CommunityPoints]:
        """Return the timezone, language, status and windows' day of each known community."""
        found: dict[int, CommunityPoints] = {}
        for batch in chunks(set(community_ids)):
            for row in await self.conn.execute(_SELECT_COMMUNITIES, {"ids": batch}):
                found[row.id] = CommunityPoints(
                    row.title, row.timezone, row.language, row.status == "active", row.windows_day
                )
        return found

    async def lock_communities(self, days: dict[int, int]) -> dict[int, int]:
        """Lock the points of {community: local day} until commit, in id order; return each one's windows' day.

        PostgreSQL only (SQLite's write transactions hold the one write lock already): every
        points write of a community holds its points_state row, so balances, windows and the
        histogram are read and written by one transaction at a time, and the day's roll
        happens once. A community without the row gets it, set to its day (nothing to roll).
        """
        if self.conn.dialect.name != "postgresql" or not days:
            return {}
        stmt = insert(self.conn, points_state).values(
            [{"community_id": c, "windows_day": days[c]} for c in sorted(days)]
        )
        stmt = stmt.on_conflict_do_update(index_elements=[_s.community_id], set_={"windows_day": _s.windows_day})
        rows = await self.conn.execute(stmt.returning(_s.community_id, _s.windows_day))
        return {community_id: windows_day for community_id, windows_day in rows}

    async def members(self, wanted: dict[int, Iterable[int]]) -> dict[tuple[int, int], MemberPoints]:
        """Return the stored totals of {community: user ids} (absent: never had points), in few statements."""
        found: dict[tuple[int, int], MemberPoints] = {}
        for groups, params in grouped_params(wanted):
            query = grouped(points_members, "user_id", groups, MemberPoints._fields)
            for row in await self.conn.execute(query, params):
                found[(row.community_id, row.user_id)] = MemberPoints(*row)
        return found

    async def used_keys(self, wanted: dict[int, Iterable[str]]) -> set[tuple[int, str]]:
        """Return which (community, idempotency key) of {community: keys} the ledger already holds."""
        found: set[tuple[int, str]] = set()
        for groups, params in grouped_params(wanted):
            query = grouped(points_ledger, "idem_key", groups, ("community_id", "idem_key"))
            found.update((c, key) for c, key in await self.conn.execute(query, params))
        return found

    async def authors(self, community_id: int, message_ids: Iterable[int]) -> dict[int, int]:
        """Return {message_id: author} for the messages the bot saw."""
        found: dict[int, int] = {}
        for batch in chunks(set(message_ids)):
            rows = await self.conn.execute(_SELECT_AUTHORS, {"c": community_id, "ids": batch})
            found.update({message_id: user_id for message_id, user_id in rows})
        return found

    async def window_totals(
        self, wanted: dict[int, Iterable[int]], periods: Sequence[int]
    ) -> dict[tuple[int, int, int], int]:
        """Return {(community_id, period, user_id): total} of {community: user ids}' totals in these periods."""
        found: dict[tuple[int, int, int], int] = {}
        for groups, params in grouped_params(wanted):
            query = grouped(points_windows, "user_id", groups, _WINDOW_COLUMNS, tuple(periods))
            rows = await self.conn.execute(query, params)
            found.update({(c, period, user_id): total for c, period, user_id, total in rows})
        return found

    async def add_ledger_rows(self, rows: Sequence[Sequence[Any]]) -> int:
        """Append ledger rows (tuples in LEDGER_COLUMNS order); return how many were new."""
        return await _LEDGER.run(self.conn, rows)

    async def save_members(self, members: Sequence[MemberPoints], now: dt.datetime) -> None:
        """Insert or overwrite members' totals (the caller read them under the write lock)."""
        await _MEMBERS.run(self.conn, [(*m, now) for m in members])

    async def set_windows(self, rows: Sequence[tuple[int, int, int, int]]) -> None:
        """Store (community_id, period, user_id, total) windowed totals (read under the write lock)."""
        await _WINDOWS.run(self.conn, rows)

    async def add_to_days(self, rows: Sequence[tuple[int, int, int, int]]) -> None:
        """Add (community_id, day, user_id, delta) to the daily buckets."""
        await _DAYS.run(self.conn, rows)

    async def remember_authors(self, rows: Sequence[tuple[int, int, int, int]]) -> None:
        """Record (community_id, message_id, user_id, day): who wrote each group message."""
        await _AUTHORS.run(self.conn, rows)

    async def add_to_histogram(self, rows: Sequence[tuple[int, int, int, int]]) -> None:
        """Add (community_id, period, points, members) to the counts of members per points value."""
        await _HISTOGRAM.run(self.conn, rows)

    async def rebuild_histogram(self, community_id: int, period: int) -> None:
        """Recount a period's members per points value from its totals (0 = all time)."""
        await self.conn.execute(
            sa.delete(points_histogram).where(_h.community_id == community_id, _h.period == period)
        )
        if period == ALL_TIME:
            source = sa.select(_m.community_id, sa.literal(ALL_TIME, sa.SmallInteger), _m.score, sa.func.count())
            source = source.where(_m.community_id == community_id, _m.score > 0).group_by(_m.community_id, _m.score)
        else:
            source = sa.select(_w.community_id, _w.period, _w.total, sa.func.count())
            source = source.where(_w.community_id == community_id, _w.period == period, _w.total > 0)
            source = source.group_by(_w.community_id, _w.period, _w.total)
        await self.conn.execute(
            sa.insert(points_histogram).from_select(["community_id", "period", "points", "members"], source)
        )

    async def member(self, community_id: int, user_id: int) -> MemberPoints | None:
        """Return one member's totals, or None when they never had points."""
        row = (
            await self.conn.execute(
                sa.select(*_MEMBER_COLUMNS).where(_m.community_id == community_id, _m.user_id == user_id)
            )
        ).first()
        return _member(row) if row else None

    async def set_windows_day(self, community_id: int, day: int) -> None:
        """Record the day the windows now describe."""
        stmt = insert(self.conn, points_state).values(community_id=community_id, windows_day=day)
        await self.conn.execute(
            stmt.on_conflict_do_update(index_elements=[_s.community_id], set_={"windows_day": day})
        )

    async def roll_window(self, community_id: int, period: int, first_day: int, last_day: int) -> None:
        """Take the buckets of days first_day..last_day out of one window's totals."""
        buckets = sa.select(_d.user_id).where(
            _d.community_id == community_id, _d.day.between(first_day, last_day)
        )
        dropped = (
            sa.select(sa.func.coalesce(sa.func.sum(_d.points), 0))
            .where(_d.community_id == community_id, _d.user_id == _w.user_id, _d.day.between(first_day, last_day))
            .scalar_subquery()
        )
        await self.conn.execute(
            sa.update(points_windows)
            .where(_w.community_id == community_id, _w.period == period, _w.user_id.in_(buckets))
            .values(total=_w.total - dropped)
        )
        await self.conn.execute(
            sa.delete(points_windows).where(_w.community_id == community_id, _w.period == period, _w.total == 0)
        )

    async def clear_window(self, community_id: int, period: int) -> None:
        """Empty one window (every bucket in it is out of range)."""
        await self.conn.execute(
            sa.delete(points_windows).where(_w.community_id == community_id, _w.period == period)
        )

    async def top(self, community_id: int, period: int, limit: int) -> list[tuple[int, int, str]]:
        """Return (user_id, points, name) of the leaders of a period (0 = all time), best first."""
        return await BoardsRepo(self.conn).top(community_id, period, limit)

    async def rank(self, community_id: int, period: int, user_id: int) -> tuple[int, int] | None:
        """Return (rank, points) in a period (0 = all time): 1 + members with more, or None without points.

        The members with more are summed from the histogram, not counted row by row.
        """
        return await BoardsRepo(self.conn).rank(community_id, period, user_id)

    async def forget_authors_before(self, community_id: int, day: int) -> None:
        """Drop message authors older than day (reactions to them no longer earn)."""
        await self.conn.execute(
            sa.delete(message_authors).where(_a.community_id == community_id, _a.day < day)
        )

    async def count_reason(self, community_id: int, user_id: int, reason: str) -> int:
        """Count the member's ledger rows with this reason."""
        count = await self.conn.scalar(
            sa.select(sa.func.count()).where(
                _l.community_id == community_id, _l.user_id == user_id, _l.reason == reason
            )
        )
        return int(count or 0)

    async def find_member(self, community_id: int, username: str) -> int | None:
        """Return the id of the community member (or points holder) with this @username."""
        in_community = sa.or_(
            sa.exists().where(memberships.c.community_id == community_id, memberships.c.user_id == users.c.id),
            sa.exists().where(_m.community_id == community_id, _m.user_id == users.c.id),
        )
        return await self.conn.scalar(
            sa.select(users.c.id)
            .where(sa.func.lower(users.c.username) == username.lower().lstrip("@"), in_community)
            .limit(1)
        )

    async def communities_of(self, user_id: int) -> list[tuple[int, int]]:
        """Return (community_id, score) of every community where the user has points."""
        rows = await self.conn.execute(
            sa.select(_m.community_id, _m.score).where(_m.user_id == user_id).order_by(_m.score.desc())
        )
        return [(community_id, score) for community_id, score in rows]
