"""/stats: how a community is doing over the last 7, 30 or 90 local days.

Definitions (README "Stats and export"): an active member wrote at least one message in the
group that day (commands excluded); DAU is the period's average of daily active members, WAU
and MAU the distinct active members of the last 7 and 30 days; conversion is buyers / members
active in the period; a weekly cohort is the members who joined in one 7-day block (blocks
end today), and its retention after k weeks the share of them active in the k-th block after.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
import zoneinfo
from bisect import bisect_right
from dataclasses import dataclass

from bot.clock import Clock
from bot.services.points_rules import local_day
from storage.db import Database
from storage.models import Community
from storage.repos.stats import ActiveCounts, DigestReach, MemberCounts, QuestionTimes, Sales

PERIODS = {"7d": 7, "30d": 30, "90d": 90}
DEFAULT_DAYS = 30
TOP = 5
TOP_INVITERS = 3
# Retention is read after these many weeks; the heatmap shows weeks 1..4.
RETENTION_WEEKS = (1, 2, 4)
HEATMAP_WEEKS = 4
# Cohorts shown: the weeks of the period, but at least this many (retention needs time).
MIN_COHORTS = 8


@dataclass(frozen=True)
class Day:
    """One local day of the period: active members, messages, Stars."""

    date: dt.date
    active: int
    messages: int
    stars: int


@dataclass(frozen=True)
class Cohort:
    """The members who joined in one week, and the share of them active 1..4 weeks later (None: not yet)."""

    start: dt.date
    size: int
    retention: tuple[float | None, ...]


@dataclass(frozen=True)
class Stats:
    """Every figure of /stats for one community and period."""

    days: int
    start: dt.date
    end: dt.date
    members: MemberCounts
    active: ActiveCounts
    dau: float
    series: list[Day]
    messages: int
    questions: int
    solved: int
    first_answer: float | None  # median seconds from question to its first answer
    accepted: float | None  # median seconds from question to accepting an answer
    points: int
    published: int
    opens: int
    openers: int
    sales: Sales
    memberships: int
    renewing: int
    digests: DigestReach
    cohorts: list[Cohort]
    top: list[tuple[int, str, int]]
    inviters: list[tuple[str, int, int]] = ()  # (name, joined, paid) through members' invite links

    @property
    def messages_per_day(self) -> float:
        return self.messages / self.days

    @property
    def solved_share(self) -> float | None:
        return self.solved / self.questions if self.questions else None

    @property
    def conversion(self) -> float | None:
        """Buyers / members active in the period."""
        return self.sales.buyers / self.active.period if self.active.period else None

    def retention(self, weeks: int) -> float | None:
        """Return the newcomers' retention after this many weeks, over the cohorts old enough."""
        shares = [(c.size, c.retention[weeks - 1]) for c in self.cohorts if c.size]
        measured = [(size, share) for size, share in shares if share is not None]
        total = sum(size for size, _ in measured)
        return sum(size * share for size, share in measured) / total if total else None


def parse_stats_period(arg: str | None) -> int | None:
    """Return the days of a /stats argument (7d, 30d, 90d; none: 30), or None for anything else."""
    if arg is None:
        return DEFAULT_DAYS
    return PERIODS.get(arg.strip().lower())


def _zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _midnight(day: int, zone: dt.tzinfo) -> dt.datetime:
    """Return the UTC instant a local day starts."""
    return dt.datetime.combine(dt.date.fromordinal(day), dt.time(0), zone).astimezone(dt.UTC)


def _median(seconds: list[float]) -> float | None:
    return statistics.median(seconds) if seconds else None


async def get_stats(db: Database, clock: Clock, community: Community, days: int) -> Stats:
    """Compute the community's figures over its last `days` local days (today included)."""
    now = clock.now()
    zone = _zone(community.timezone)
    last = local_day(now, community.timezone)
    first = last - days + 1
    since = _midnight(first, zone)
    weeks = max(MIN_COHORTS, math.ceil(days / 7))
    cohort_first = last - 7 * weeks + 1
    bounds = [_midnight(cohort_first + 7 * w, zone) for w in range(weeks + 1)]
    c = community.id
    async with db.read() as repos:
        stats = repos.stats
        members = await stats.members(c, since)
        daily = await stats.daily_activity(c, first, last)
        active = await stats.active(c, first, last)
        sizes, cohort_activity = await stats.cohorts(c, cohort_first, last, bounds)
        times = await stats.question_times(c, since)
        points = await stats.points(c, first, last)
        top = await stats.top_contributors(c, first, last, TOP)
        published, opens, openers = await stats.content(c, since)
        sales = await stats.sales(c, since)
        paid = await stats.paid_times(c, since)
        running, renewing = await stats.memberships(c, now)
        digests = await stats.digests(c, since)
        invited = await repos.referrals.top_inviters(c, since, TOP_INVITERS)
        names = await repos.users.get_many(uid for uid, _, _ in invited)
    inviters = [(names[uid].first_name if uid in names else str(uid), joined, bought)
                for uid, joined, bought in invited]
    series = _series(first, last, daily, paid, zone)
    return Stats(
        days=days,
        start=dt.date.fromordinal(first),
        end=dt.date.fromordinal(last),
        members=members,
        active=active,
        dau=sum(d.active for d in series) / days,
        series=series,
        messages=sum(d.messages for d in series),
        questions=len(times),
        solved=sum(1 for q in times if q.solved),
        first_answer=_median(_waits(times, "first_answer_at")),
        accepted=_median(_waits(times, "accepted_at")),
        points=points,
        published=published,
        opens=opens,
        openers=openers,
        sales=sales,
        memberships=running,
        renewing=renewing,
        digests=digests,
        cohorts=_cohorts(cohort_first, sizes, cohort_activity),
        top=top,
        inviters=inviters,
    )


def _waits(times: list[QuestionTimes], field: str) -> list[float]:
    waits = []
    for q in times:
        at = getattr(q, field)
        if at is not None:
            waits.append(max((at - q.asked_at).total_seconds(), 0.0))
    return waits


def _series(
    first: int, last: int, daily: dict[int, tuple[int, int]], paid: list[tuple[dt.datetime, int]], zone: dt.tzinfo
) -> list[Day]:
    starts = [_midnight(day, zone) for day in range(first, last + 1)]
    stars = [0] * len(starts)
    for at, amount in paid:
        index = bisect_right(starts, at) - 1
        if index >= 0:
            stars[index] += amount
    return [
        Day(dt.date.fromordinal(day), *daily.get(day, (0, 0)), stars[i])
        for i, day in enumerate(range(first, last + 1))
    ]


def _cohorts(first: int, sizes: list[int], active: dict[tuple[int, int], int]) -> list[Cohort]:
    weeks = len(sizes)
    cohorts = []
    for w, size in enumerate(sizes):
        shares: list[float | None] = []
        for k in range(1, HEATMAP_WEEKS + 1):
            if w + k >= weeks:
                shares.append(None)  # that week has not come yet
            else:
                shares.append(active.get((w, w + k), 0) / size if size else None)
        cohorts.append(Cohort(dt.date.fromordinal(first + 7 * w), size, tuple(shares)))
    return cohorts
