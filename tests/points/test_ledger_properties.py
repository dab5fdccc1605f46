"""Property: after any awards, deductions, spends, replays and passing days, the totals are the ledger.

Every balance and score equals its ledger sum, every daily bucket its day's sum, every
window the sum of its days' buckets, and no idempotency key is ever applied twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import InsufficientPoints
from bot.services.earning import MessageSeen, ReactionSeen, do_record_events
from bot.services.leaderboard import get_leaderboard, get_rank
from bot.services.points import WINDOWS, Grant, award_points, spend_points
from storage.db import Database
from tests.databases import example_database

from points_world import World, make_world

T0 = dt.datetime(2026, 1, 5, 22, 30, tzinfo=dt.UTC)
PEOPLE = 3
KEYS = [f"k{i}" for i in range(6)]

operation = st.one_of(
    st.tuples(st.just("award"), st.integers(0, PEOPLE - 1), st.integers(-20, 40), st.sampled_from(KEYS)),
    st.tuples(st.just("spend"), st.integers(0, PEOPLE - 1), st.integers(1, 30), st.sampled_from(KEYS)),
    st.tuples(st.just("message"), st.integers(0, PEOPLE - 1), st.integers(1, 8), st.just("")),
    st.tuples(st.just("react"), st.integers(0, PEOPLE - 1), st.integers(1, 8), st.just("")),
    st.tuples(st.just("wait"), st.just(0), st.integers(1, 60 * 30), st.just("")),
)


async def _scenario(w: World, ops: list[tuple[str, int, int, str]]) -> None:
    people = [w.alice, w.bob, w.carol]
    applied: Counter[str] = Counter()
    for kind, who, amount, key in ops:
        user = people[who]
        if kind == "wait":
            w.clock.advance(minutes=amount)
            continue
        if kind in ("message", "react"):
            if kind == "message":
                event = MessageSeen(w.group, user, amount, 20)
            else:
                event = ReactionSeen(w.group, user, amount, (), ("👍",))
            await do_record_events(w.db, w.scoring, w.clock, [event])
            continue
        try:
            async with w.db.transaction() as repos:
                if kind == "award":
                    grant = Grant(w.group, user.id, amount, "test", key)
                    award = await award_points(repos, w.scoring, grant, w.clock.now())
                else:
                    grant = Grant(w.group, user.id, -amount, "spend", key)
                    award = await spend_points(repos, w.scoring, grant, w.clock.now())
        except InsufficientPoints:
            continue
        if award.applied:
            applied[key] += 1
    assert all(count == 1 for count in applied.values()), applied
    await _check(w)


async def _check(w: World) -> None:
    async with w.db.read() as repos:
        keys = await repos.ledger.keys(w.group)
        sums = await repos.ledger.sums(w.group)
        totals = await repos.ledger.member_totals(w.group)
        day_sums = await repos.ledger.day_sums(w.group)
        daily = await repos.ledger.daily(w.group)
        windows = {p: await repos.ledger.windows(w.group, p) for p in WINDOWS}
        state = await repos.points.communities([w.group])
    assert len(keys) == len(set(keys))
    assert {u: t for u, t in totals.items() if t != (0, 0)} == {u: s for u, s in sums.items() if s != (0, 0)}
    assert all(balance >= 0 for _, balance in totals.values())
    assert {k: v for k, v in daily.items() if v} == {k: v for k, v in day_sums.items() if v}
    histograms = {p: await _histogram(w, p) for p in (0, *WINDOWS)}
    assert histograms[0] == Counter(score for score, _ in totals.values() if score > 0)
    recounted = {0: {u: score for u, (score, _) in totals.items()}}
    today = state[w.group].windows_day
    if today is not None:
        for period in WINDOWS:
            expected: defaultdict[int, int] = defaultdict(int)
            for (day, user_id), points in daily.items():
                if today - period < day <= today:
                    expected[user_id] += points
            assert {u: t for u, t in windows[period].items() if t} == {u: t for u, t in expected.items() if t}
            assert histograms[period] == Counter(t for t in windows[period].values() if t > 0)
            recounted[period] = dict(expected)
    for period, points in recounted.items():
        await _check_ranks(w, period, points)


async def _check_ranks(w: World, period: int, points: dict[int, int]) -> None:
    """Ranks and boards as the services read them equal a recount: 1 + members with more points."""

    def rank(user_id: int) -> tuple[int, int] | None:
        mine = points.get(user_id, 0)
        return None if mine <= 0 else (1 + sum(1 for v in points.values() if v > mine), mine)

    people = [w.alice.id, w.bob.id, w.carol.id]
    for user_id in people:
        assert await get_rank(w.db, w.clock, w.group, period, user_id) == rank(user_id)
    board = await get_leaderboard(w.db, w.clock, w.group, period, w.alice.id)
    leaders = sorted(((v, u) for u, v in points.items() if v > 0), reverse=True)
    assert [(s.user_id, s.points) for s in board.leaders] == [(u, v) for v, u in leaders]
    assert [s.rank for s in board.leaders] == [rank(u)[0] for _, u in leaders]  # type: ignore[index]
    viewer = rank(w.alice.id)
    assert (board.viewer.rank, board.viewer.points) == viewer if board.viewer else viewer is None


async def _histogram(w: World, period: int) -> Counter[int]:
    async with w.db.read() as repos:
        return Counter(await repos.ledger.histogram(w.group, period))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, max_size=40))
def test_totals_always_equal_the_ledger(
    backend: str, tmp_path: Path, template: Path, ops: list[tuple[str, int, int, str]]
) -> None:
    async def run(url: str) -> None:
        db = await Database.open(url, migrate=False)  # already migrated
        try:
            world = await make_world(url, T0, db=db)
            await _scenario(world, ops)
        finally:
            await db.close()

    with example_database(backend, template, tmp_path) as url:
        asyncio.run(run(url))
