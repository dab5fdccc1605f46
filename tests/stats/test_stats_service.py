"""The /stats figures on a world whose numbers are known by hand (tests/stats/console_world.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.clock import FakeClock
from bot.services.stats import get_stats, parse_stats_period
from storage.db import Database
from tests.fixtures import ALICE, CAROL, DAVE, GROUP, open_community
from tests.stats.console_world import NOW
from tests.databases import DbUrls


async def _stats(db: Database, days: int = 30):
    async with db.read() as repos:
        community = await repos.communities.get(GROUP.id)
    return await get_stats(db, FakeClock(NOW), community, days)


@pytest.mark.parametrize(("arg", "days"), [(None, 30), ("7d", 7), ("30D", 30), ("90d", 90), ("7", None),
                                            ("1y", None), ("", None), ("30d30d", None)])
def test_parse_period(arg: str | None, days: int | None) -> None:
    assert parse_stats_period(arg) == days


async def test_members_activity_and_messages(world: Database) -> None:
    stats = await _stats(world)
    assert (stats.start, stats.end) == (dt.date(2026, 1, 11), dt.date(2026, 2, 9))
    assert (stats.members.now, stats.members.joined, stats.members.left) == (3, 1, 1)  # Dave joined, Bob left
    assert (stats.active.period, stats.active.week, stats.active.month) == (3, 2, 3)
    assert stats.messages == 9 and stats.messages_per_day == pytest.approx(9 / 30)
    assert stats.dau == pytest.approx(5 / 30)  # member-days in the period / days
    by_date = {d.date: d for d in stats.series}
    assert len(stats.series) == 30
    assert (by_date[dt.date(2026, 2, 9)].active, by_date[dt.date(2026, 2, 9)].messages) == (2, 3)
    assert by_date[dt.date(2026, 1, 20)].stars == 50  # Bob's refunded 20 the same day does not count
    assert by_date[dt.date(2026, 2, 5)].stars == 10


async def test_questions_and_median_times(world: Database) -> None:
    stats = await _stats(world)
    assert (stats.questions, stats.solved, stats.solved_share) == (2, 1, 0.5)
    assert stats.first_answer == 4500  # median of 30 min and 2 h
    assert stats.accepted == 3 * 3600


async def test_points_content_revenue_conversion_digests(world: Database) -> None:
    stats = await _stats(world)
    assert stats.points == 20
    assert stats.top == [(ALICE.id, "Alice", 10), (CAROL.id, "Carol", 6), (DAVE.id, "戴夫 王", 4)]
    assert (stats.published, stats.opens, stats.openers) == (1, 3, 2)
    s = stats.sales
    assert (s.stars, s.purchases, s.buyers, s.refunds, s.stars_refunded, s.renewals) == (60, 2, 2, 1, 20, 1)
    assert stats.conversion == pytest.approx(2 / 3)  # Alice and Carol bought; Alice, Carol and Dave were active
    assert (stats.memberships, stats.renewing) == (1, 1)
    assert (stats.digests.queued, stats.digests.sent, stats.digests.reached) == (2, 1, 1)


async def test_retention_cohorts(world: Database) -> None:
    stats = await _stats(world)
    assert [c.start for c in stats.cohorts][:3] == [dt.date(2025, 12, 16), dt.date(2025, 12, 23), dt.date(2025, 12, 30)]
    sizes = [c.size for c in stats.cohorts]
    assert sizes == [0, 0, 3, 0, 1, 0, 0, 0]
    jan5, jan14 = stats.cohorts[2], stats.cohorts[4]
    # Of Alice, Bob and Carol: two active a week later, one 2 weeks later, none 3 weeks later, one 4 weeks later.
    assert jan5.retention == pytest.approx((2 / 3, 1 / 3, 0, 1 / 3))
    assert jan14.retention == (1.0, 0.0, 0.0, None)  # its 4th week has not come yet
    assert stats.cohorts[7].retention == (None, None, None, None)
    assert stats.retention(1) == pytest.approx(3 / 4)  # weighted by cohort size
    assert stats.retention(2) == pytest.approx(1 / 4)
    assert stats.retention(4) == pytest.approx(1 / 3)


async def test_seven_days_and_a_silent_community(world: Database, db_urls: DbUrls) -> None:
    stats = await _stats(world, 7)
    assert stats.days == 7 and len(stats.series) == 7 and stats.questions == 0
    assert (stats.active.period, stats.active.week) == (2, 2)
    assert stats.sales.stars == 10 and stats.sales.buyers == 1
    empty = await open_community(db_urls("empty.db"))
    try:
        async with empty.read() as repos:
            community = await repos.communities.get(GROUP.id)
        stats = await get_stats(empty, FakeClock(NOW), community, 90)
    finally:
        await empty.close()
    assert stats.first_answer is None and stats.solved_share is None and stats.conversion is None
    assert stats.messages == 0 and len(stats.cohorts) == 13
    assert stats.retention(1) == 0.0  # three newcomers, none of them wrote since
