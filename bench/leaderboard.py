"""Leaderboards at scale: 100k members and 1M ledger rows in one community.

Generates the members and the ledger in bulk (activity skewed like a real group: a few
members earn most points, spread over the last 60 days), rebuilds the running totals
from the ledger, then times the service calls behind /top and /me — the 7-day, 30-day
and all-time top 10 (with the caller's rank) and one member's rank — and, in the same
run, the plain GROUP BY over the ledger that the running totals replace.

    python bench/leaderboard.py [--members 100000] [--rows 1000000] [--runs 300]

Targets: each service call ≤ 1 ms median and ≤ 3 ms p99.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.clock import FakeClock
from bot.services.leaderboard import do_show_leaderboard, get_rank
from bot.services.points import WINDOWS
from bot.services.points_rules import local_day
from storage.db import Database

COMMUNITY = -1009999999999
FIRST_USER = 10_000_000
DAYS = 60
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
REASONS = (("message", 1), ("reaction", 1), ("checkin", 4), ("answer", 2), ("answer_accepted", 15))


def _ledger_rows(members: int, rows: int, today: int, seed: int = 7):
    """Yield ledger rows: skewed activity (member i is picked with density ~ 1/i^(2/3)), 60 days.

    Rows come grouped by member with increasing keys, so both ledger indexes grow at their
    ends: bulk loading that way is about three times faster than in time order.
    """
    rng = random.Random(seed)
    epoch = dt.datetime.combine(dt.date.fromordinal(today), dt.time(12), dt.UTC)
    owners = sorted(int(members * rng.random() ** 3) for _ in range(rows))
    for i, owner in enumerate(owners):
        back = rng.randrange(DAYS)
        reason, delta = REASONS[0 if rng.random() < 0.7 else rng.randrange(len(REASONS))]
        yield {
            "community_id": COMMUNITY, "user_id": FIRST_USER + owner, "delta": delta, "scored": True,
            "reason": reason, "ref": None, "idem_key": f"bench:{i:07d}", "day": today - back,
            "created_at": epoch - dt.timedelta(days=back, seconds=rng.randrange(40_000)),
        }


async def populate(db: Database, members: int, rows: int) -> float:
    """Create the community, its members and the ledger, then rebuild the totals; return seconds."""
    started = time.perf_counter()
    today = local_day(NOW, "UTC")
    async with db.transaction() as repos:
        await repos.communities.register(COMMUNITY, "Big Circle", "supergroup", "bigcircle", NOW)
        people = [(FIRST_USER + i, f"Member {i}", f"member{i}") for i in range(members)]
        await repos.bulk.add_users(people, NOW)
        await repos.bulk.add_members(COMMUNITY, (uid for uid, _, _ in people), NOW)
        await repos.ledger.add_many(_ledger_rows(members, rows, today))
        await repos.ledger.rebuild(COMMUNITY, today, WINDOWS, NOW)
    return time.perf_counter() - started


async def _time(call: Callable[[], Awaitable[object]], runs: int) -> dict[str, float]:
    for _ in range(min(5, runs)):
        await call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"p50": statistics.median(samples), "p99": samples[max(0, int(len(samples) * 0.99) - 1)]}


async def main_async(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        try:
            seconds = await populate(db, args.members, args.rows)
            async with db.read() as repos:
                totals = await repos.ledger.member_totals(COMMUNITY)
                windows = {p: len(await repos.ledger.windows(COMMUNITY, p)) for p in WINDOWS}
            print(f"{args.members} members, {args.rows} ledger rows over {DAYS} days "
                  f"(generated and totals rebuilt in {seconds:.1f} s)")
            print(f"members with points: all time {len(totals)}, 30 days {windows[30]}, 7 days {windows[7]}")
            await report(db, args)
        finally:
            await db.close()


async def report(db: Database, args: argparse.Namespace) -> None:
    clock = FakeClock(NOW)
    rng = random.Random(11)

    def member() -> int:
        return FIRST_USER + rng.randrange(args.members)

    async def top(period: int) -> None:
        # What /top does: the same-day window check and the board, in one read transaction.
        await do_show_leaderboard(db, clock, COMMUNITY, period, member())

    calls = {
        "/top 7d (+ caller's rank)": lambda: top(7),
        "/top 30d (+ caller's rank)": lambda: top(30),
        "/top all (+ caller's rank)": lambda: top(0),
        "rank of one member, 7d": lambda: get_rank(db, clock, COMMUNITY, 7, member()),
        "rank of one member, all": lambda: get_rank(db, clock, COMMUNITY, 0, member()),
    }
    today = local_day(NOW, "UTC")

    async def group_by(since: int | None) -> None:
        async with db.read() as repos:
            await repos.ledger.top_from_ledger(COMMUNITY, since, 10)

    baseline = {
        "GROUP BY ledger, 7d top 10": lambda: group_by(today - 6),
        "GROUP BY ledger, all-time top 10": lambda: group_by(None),
    }
    print(f"\n{'service call':<34} {'p50 ms':>8} {'p99 ms':>8}   ({args.runs} runs, random callers)")
    results = {}
    for label, call in calls.items():
        results[label] = await _time(call, args.runs)
        ok = results[label]["p50"] <= 1 and results[label]["p99"] <= 3
        print(f"{label:<34} {results[label]['p50']:>8.2f} {results[label]['p99']:>8.2f}   {'ok' if ok else 'SLOW'}")
    for label, call in baseline.items():
        results[label] = await _time(call, args.baseline_runs)
        print(f"{label:<34} {results[label]['p50']:>8.2f} {results[label]['p99']:>8.2f}   "
              f"({args.baseline_runs} runs)")
    fast = results["/top 7d (+ caller's rank)"]["p50"]
    slow = results["GROUP BY ledger, 7d top 10"]["p50"]
    fast_all = results["/top all (+ caller's rank)"]["p50"]
    slow_all = results["GROUP BY ledger, all-time top 10"]["p50"]
    print(f"\nGROUP BY / running totals (median): 7 days {slow / fast:.0f}x, all time {slow_all / fast_all:.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--baseline-runs", type=int, default=5)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
