"""PostgreSQL: points written by several processes at once stay equal to the ledger.

Each `Database` here is a process's own engine and pool on one PostgreSQL database; the
awards go through the real services (the points writer, check-ins, admin grants) and the
totals, windows and rank histograms are then recounted from the ledger.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import AsyncIterator

import pytest

from bot.clock import FakeClock
from bot.config import PointsConfig
from bot.services.communities import UserInfo
from bot.services.earning import MessageSeen, do_checkin, do_record_events
from bot.services.points import WINDOWS, Grant, do_award_points
from bot.services.points_rules import Scoring
from bot.services.points_writer import PointsWriter
from storage.db import Database

from tests.databases import DbUrls
from tests.fixtures import ALICE, BOB, CAROL, DAVE, GROUP, open_community

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
ERIN = UserInfo(1005, "Erin", None, "erin", "en")
FRANK = UserInfo(1006, "Frank", None, "frank", "en")
PEOPLE = (ALICE, BOB, CAROL, DAVE, ERIN, FRANK)


class Process:
    """One bot process as the points services see it: its engine, scoring caches and points writer."""

    def __init__(self, db: Database, clock: FakeClock, config: PointsConfig) -> None:
        self.db = db
        self.clock = clock
        self.scoring = Scoring(config)
        db.on_users_commit(self.scoring.known.forget)
        self.writer = PointsWriter(db, self.scoring, clock)


@pytest.fixture
async def processes(postgres_urls: DbUrls) -> AsyncIterator[list[Process]]:
    url = postgres_urls("points")
    clock = FakeClock(T0)
    first = await open_community(url, T0, PEOPLE)
    second = await Database.open(url, migrate=False)
    config = PointsConfig(message_cooldown=0, announce_levels=True)
    try:
        yield [Process(first, clock, config), Process(second, clock, config)]
    finally:
        await first.close()
        await second.close()


async def _recount(db: Database) -> None:
    """Assert that balances, scores, daily buckets, windows and histograms are the ledger's sums."""
    async with db.read() as repos:
        keys = await repos.ledger.keys(GROUP.id)
        sums = await repos.ledger.sums(GROUP.id)
        totals = await repos.ledger.member_totals(GROUP.id)
        day_sums = await repos.ledger.day_sums(GROUP.id)
        daily = await repos.ledger.daily(GROUP.id)
        windows = {p: await repos.ledger.windows(GROUP.id, p) for p in WINDOWS}
        histograms = {p: await repos.ledger.histogram(GROUP.id, p) for p in (0, *WINDOWS)}
        today = (await repos.points.communities([GROUP.id]))[GROUP.id].windows_day
    assert len(keys) == len(set(keys))
    assert {u: t for u, t in totals.items() if t != (0, 0)} == {u: s for u, s in sums.items() if s != (0, 0)}
    assert all(balance >= 0 for _, balance in totals.values())
    assert {k: v for k, v in daily.items() if v} == {k: v for k, v in day_sums.items() if v}
    assert histograms[0] == Counter(score for score, _ in totals.values() if score > 0)
    for period in WINDOWS:
        expected: defaultdict[int, int] = defaultdict(int)
        for (day, user_id), points in day_sums.items():
            if today - period < day <= today:
                expected[user_id] += points
        assert {u: t for u, t in windows[period].items() if t} == {u: t for u, t in expected.items() if t}, period
        assert histograms[period] == Counter(t for t in windows[period].values() if t > 0), period


async def _burst(processes: list[Process], round_: int, count: int = 50) -> None:
    """Write count awards at once: messages through both points writers and single-event
    transactions, check-ins and admin grants, spread over both processes and all members."""
    tasks = []
    for i in range(count):
        p = processes[i % 2]
        user = PEOPLE[i % len(PEOPLE)]
        message = MessageSeen(GROUP.id, user, round_ * 1000 + i, 40)
        kind = i % 5
        if kind in (0, 1):
            tasks.append(p.writer.record(message))
        elif kind == 2:
            tasks.append(do_record_events(p.db, p.scoring, p.clock, [message]))
        elif kind == 3:
            tasks.append(do_checkin(p.db, p.scoring, p.clock, GROUP.id, user))
        else:
            grant = Grant(GROUP.id, user.id, 1 + i % 7, "test", f"grant:{round_}:{i}")
            tasks.append(do_award_points(p.db, p.scoring, p.clock, grant))
    await asyncio.gather(*tasks)
    for p in processes:
        await p.writer.flush()


async def test_concurrent_awards_from_two_processes_equal_the_ledger(processes: list[Process]) -> None:
    clock = processes[0].clock
    await _burst(processes, 0)
    await _recount(processes[0].db)
    # A week later every process's first write rolls the windows: exactly one of them does.
    clock.advance(days=7)
    await _burst(processes, 1)
    await _recount(processes[0].db)
    clock.advance(days=1)
    await _burst(processes, 2)
    await _recount(processes[1].db)
    async with processes[0].db.read() as repos:
        checkins = await repos.ledger.with_reason(GROUP.id, "checkin")
    # One check-in per member and day, however many arrived at once.
    assert len(checkins) == 3 * len(PEOPLE)


async def test_daily_cap_and_cooldown_are_exact_under_concurrency(postgres_urls: DbUrls) -> None:
    url = postgres_urls("caps")
    clock = FakeClock(T0)
    first = await open_community(url, T0, PEOPLE)
    second = await Database.open(url, migrate=False)
    try:
        capped = [Process(db, clock, PointsConfig(message_cooldown=0, message_daily_cap=7)) for db in (first, second)]
        # 40 messages of Alice at once, from both processes: the cap of 7 a day holds.
        await asyncio.gather(*(
            do_record_events(capped[i % 2].db, capped[i % 2].scoring, clock, [MessageSeen(GROUP.id, ALICE, i, 40)])
            for i in range(40)
        ))
        cooled = [Process(db, clock, PointsConfig(message_cooldown=60)) for db in (first, second)]
        # 20 of Bob's at the same moment: the 60 s cooldown lets exactly one earn.
        await asyncio.gather(*(
            do_record_events(cooled[i % 2].db, cooled[i % 2].scoring, clock, [MessageSeen(GROUP.id, BOB, 100 + i, 40)])
            for i in range(20)
        ))
        async with first.read() as repos:
            messages = Counter(user_id for user_id, _ in await repos.ledger.with_reason(GROUP.id, "message"))
            alice = await repos.points.member(GROUP.id, ALICE.id)
        assert messages == {ALICE.id: 7, BOB.id: 1}
        assert alice is not None and alice.message_count == 7
        await _recount(first)
    finally:
        await first.close()
        await second.close()
