"""Period figures for /stats: aggregate queries over indexed columns, a handful per report.

Every figure is one GROUP BY (or one SUM over CASEs) per table; nothing loops over members.
Days are the community's local days (date ordinals, as member_days and points_daily store
them); instants are UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import PRESENT_STATUSES
from storage.schema import (
    answers,
    content_items,
    content_opens,
    member_days,
    memberships,
    outbox,
    paid_memberships,
    points_daily,
    questions,
    star_payments,
    users,
)

_a = member_days.c
_m = memberships.c
_q = questions.c
_p = star_payments.c
_d = points_daily.c
_o = outbox.c

DIGEST_KIND = "engagement/digest"


@dataclass(frozen=True)
class MemberCounts:
    """Members in the group now, and how many joined and left since a moment."""

    now: int
    joined: int
    left: int


@dataclass(frozen=True)
class ActiveCounts:
    """Distinct members active over the period, the last 7 days and the last 30 days."""

    period: int
    week: int
    month: int


@dataclass(frozen=True)
class QuestionTimes:
    """One question asked in the period: when, and when it got its first and its accepted answer."""

    asked_at: dt.datetime
    solved: bool
    first_answer_at: dt.datetime | None
    accepted_at: dt.datetime | None


@dataclass(frozen=True)
class Sales:
    """Stars income and refunds in the period."""

    stars: int
    purchases: int
    buyers: int
    refunds: int
    stars_refunded: int
    renewals: int


@dataclass(frozen=True)
class DigestReach:
    """Members' digest notices of the period: queued, sent, and the members they reached."""

    queued: int
    sent: int
    reached: int


def _count_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


class StatsRepo:
    """Read-only aggregates over members, activity, Q&A, points, content, payments and digests."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def members(self, community_id: int, since: dt.datetime) -> MemberCounts:
        """Count members present now, joined since and left since (one pass over the memberships)."""
        row = (
            await self.conn.execute(
                sa.select(
                    _count_if(_m.status.in_(PRESENT_STATUSES)),
                    _count_if(_m.joined_at >= since),
                    _count_if(_m.left_at >= since),
                ).where(_m.community_id == community_id)
            )
        ).one()
        return MemberCounts(int(row[0]), int(row[1]), int(row[2]))

    async def daily_activity(self, community_id: int, first_day: int, last_day: int) -> dict[int, tuple[int, int]]:
        """Return {day: (active members, messages)} for the days that had any."""
        rows = await self.conn.execute(
            sa.select(_a.day, sa.func.count(), sa.func.sum(_a.messages))
            .where(_a.community_id == community_id, _a.day >= first_day, _a.day <= last_day)
            .group_by(_a.day)
        )
        return {int(day): (int(active), int(messages or 0)) for day, active, messages in rows}

    async def active(self, community_id: int, first_day: int, last_day: int) -> ActiveCounts:
        """Count distinct active members over [first_day, last_day], its last 7 and its last 30 days."""

        def distinct_since(day: int) -> sa.ColumnElement[int]:
            return sa.func.count(sa.distinct(sa.case((_a.day >= day, _a.user_id), else_=None)))

        start = min(first_day, last_day - 29)
        row = (
            await self.conn.execute(
                sa.select(distinct_since(first_day), distinct_since(last_day - 6), distinct_since(last_day - 29))
                .where(_a.community_id == community_id, _a.day >= start, _a.day <= last_day)
            )
        ).one()
        return ActiveCounts(int(row[0]), int(row[1]), int(row[2]))

    async def cohorts(
        self, community_id: int, first_day: int, last_day: int, bounds: Sequence[dt.datetime]
    ) -> tuple[list[int], dict[tuple[int, int], int]]:
        """Weekly cohorts: newcomers per week, and how many of them were active in each later week.

        bounds are the UTC instants at which weeks 0..n start, plus the end of the last one; week
        w covers the local days first_day + 7w .. first_day + 7w + 6. Return the cohort sizes and
        {(cohort week, activity week): members}.
        """
        weeks = len(bounds) - 1
        cohort = sa.case(
            *[((_m.joined_at >= bounds[w]) & (_m.joined_at < bounds[w + 1]), w) for w in range(weeks)], else_=None
        ).label("cohort")
        in_range = sa.and_(_m.community_id == community_id, _m.joined_at >= bounds[0], _m.joined_at < bounds[-1])
        sizes = [0] * weeks
        for week, count in await self.conn.execute(sa.select(cohort, sa.func.count()).where(in_range).group_by(cohort)):
            if week is not None:
                sizes[int(week)] = int(count)
        # Each newcomer's cohort once, then their distinct active weeks. The LIMIT (never reached)
        # keeps SQLite from flattening the subquery into the join, which would evaluate the CASE
        # once per active day: 5x slower at 100k members (bench/stats.py).
        newcomers = sa.select(_m.user_id, cohort).where(in_range).limit(2**62).subquery()
        activity_week = ((_a.day - first_day) // 7).label("week")
        weeks_active = (
            sa.select(newcomers.c.cohort, _a.user_id, activity_week)
            .distinct()
            .select_from(newcomers)
            .join(member_days, sa.and_(_a.community_id == community_id, _a.user_id == newcomers.c.user_id))
            .where(_a.day >= first_day, _a.day <= last_day)
            .subquery()
        )
        rows = await self.conn.execute(
            sa.select(weeks_active.c.cohort, weeks_active.c.week, sa.func.count())
            .group_by(weeks_active.c.cohort, weeks_active.c.week)
        )
        active = {(int(c), int(w)): int(n) for c, w, n in rows if c is not None}
        return sizes, active

    async def newcomers(self, community_id: int, start: dt.datetime, end: dt.datetime) -> list[tuple[int, dt.datetime]]:
        """Return (user id, joined at) of the members who joined in [start, end) (bench/stats.py's baseline)."""
        rows = await self.conn.execute(
            sa.select(_m.user_id, _m.joined_at).where(
                _m.community_id == community_id, _m.joined_at >= start, _m.joined_at < end
            )
        )
        return [(int(u), at) for u, at in rows]

    async def days_of(self, community_id: int, user_id: int, first_day: int, last_day: int) -> list[int]:
        """Return the days one member was active (the per-member baseline of bench/stats.py, never the bot's)."""
        rows = await self.conn.execute(
            sa.select(_a.day).where(
                _a.community_id == community_id, _a.user_id == user_id, _a.day >= first_day, _a.day <= last_day
            )
        )
        return [int(d) for (d,) in rows]

    async def question_times(self, community_id: int, since: dt.datetime) -> list[QuestionTimes]:
        """Return each question asked since then with its first answer's and its acceptance's time."""
        first_answer = sa.func.min(answers.c.created_at)
        rows = await self.conn.execute(
            sa.select(_q.created_at, _q.status, _q.accepted_answer_id, _q.closed_at, first_answer)
            .select_from(questions)
            .outerjoin(answers, answers.c.question_id == _q.id)
            .where(_q.community_id == community_id, _q.created_at >= since)
            .group_by(_q.id, _q.created_at, _q.status, _q.accepted_answer_id, _q.closed_at)
        )
        return [
            QuestionTimes(asked, status == "solved", first, closed if accepted is not None else None)
            for asked, status, accepted, closed, first in rows
        ]

    async def points(self, community_id: int, first_day: int, last_day: int) -> int:
        """Sum the scored points the community's members got over these days (deductions netted)."""
        total = await self.conn.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(_d.points), 0)).where(
                _d.community_id == community_id, _d.day >= first_day, _d.day <= last_day
            )
        )
        return int(total or 0)

    async def top_contributors(
        self, community_id: int, first_day: int, last_day: int, limit: int
    ) -> list[tuple[int, str, int]]:
        """Return (user id, name, points) of the members with the most points over these days."""
        total = sa.func.sum(_d.points).label("total")
        top = (
            sa.select(_d.user_id, total)
            .where(_d.community_id == community_id, _d.day >= first_day, _d.day <= last_day)
            .group_by(_d.user_id)
            .having(total > 0)
            .order_by(total.desc(), _d.user_id)
            .limit(limit)
            .subquery()
        )
        rows = await self.conn.execute(
            sa.select(top.c.user_id, users.c.first_name, users.c.last_name, top.c.total)
            .join(users, users.c.id == top.c.user_id)
            .order_by(top.c.total.desc(), top.c.user_id)
        )
        return [(int(u), f"{first} {last}" if last else first, int(n)) for u, first, last, n in rows]

    async def content(self, community_id: int, since: dt.datetime) -> tuple[int, int, int]:
        """Return (items published, opens, members who opened something) since then."""
        published = await self.conn.scalar(
            sa.select(sa.func.count()).where(
                content_items.c.community_id == community_id, content_items.c.created_at >= since
            )
        )
        opens = (
            await self.conn.execute(
                sa.select(sa.func.count(), sa.func.count(sa.distinct(content_opens.c.user_id))).where(
                    content_opens.c.community_id == community_id, content_opens.c.created_at >= since
                )
            )
        ).one()
        return int(published or 0), int(opens[0]), int(opens[1])

    async def sales(self, community_id: int, since: dt.datetime) -> Sales:
        """Return the Stars paid since then (refunded payments excluded), refunds made since, renewals."""
        paid = sa.and_(_p.status == "paid", _p.created_at >= since)
        renewal = sa.and_(paid, _p.kind == "plan", _p.subscription_expires_at.is_not(None), ~_p.is_first_recurring)
        refunded = sa.and_(_p.status == "refunded", _p.refunded_at >= since)
        row = (
            await self.conn.execute(
                sa.select(
                    sa.func.coalesce(sa.func.sum(sa.case((paid, _p.amount), else_=0)), 0),
                    _count_if(paid),
                    sa.func.count(sa.distinct(sa.case((paid, _p.user_id), else_=None))),
                    _count_if(refunded),
                    sa.func.coalesce(sa.func.sum(sa.case((refunded, _p.amount), else_=0)), 0),
                    _count_if(renewal),
                ).where(_p.community_id == community_id, sa.or_(_p.created_at >= since, _p.refunded_at >= since))
            )
        ).one()
        return Sales(*(int(v) for v in row))

    async def paid_times(self, community_id: int, since: dt.datetime) -> list[tuple[dt.datetime, int]]:
        """Return (time, Stars) of the payments since then that stand, for the revenue per day."""
        rows = await self.conn.execute(
            sa.select(_p.created_at, _p.amount).where(
                _p.community_id == community_id, _p.created_at >= since, _p.status == "paid"
            )
        )
        return [(at, int(amount)) for at, amount in rows]

    async def memberships(self, community_id: int, now: dt.datetime) -> tuple[int, int]:
        """Return (paid memberships running now, those of them that renew)."""
        pm = paid_memberships.c
        row = (
            await self.conn.execute(
                sa.select(sa.func.count(), _count_if(pm.renewal == "on")).where(
                    pm.community_id == community_id, pm.expires_at > now
                )
            )
        ).one()
        return int(row[0]), int(row[1])

    async def digests(self, community_id: int, since: dt.datetime) -> DigestReach:
        """Count the members' digests queued and sent since then, and the members they reached."""
        sent = _o.status == "sent"
        row = (
            await self.conn.execute(
                sa.select(
                    sa.func.count(),
                    _count_if(sent),
                    sa.func.count(sa.distinct(sa.case((sent, _o.chat_id), else_=None))),
                ).where(_o.community_id == community_id, _o.kind == DIGEST_KIND, _o.created_at >= since)
            )
        ).one()
        return DigestReach(int(row[0]), int(row[1]), int(row[2]))
