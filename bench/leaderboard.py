"""Leaderboards at scale: 100k members and 1M ledger rows in one community.

Generates the members and the ledger in bulk (activity skewed like a real group: a few
members earn most points, spread over the last 60 days), rebuilds the running totals
from the ledger, then times the service calls behind /top and /me — the 7-day, 30-day
and all-time top 10 (with the caller's rank) and one member's rank — and, in the same
run, the plain GROUP BY over the ledger that the running totals replace.

    python bench/leaderboard.py [--members 100000] [--rows 1000000] [--runs 300]
    python bench/leaderboard.py --db postgres [--url postgresql+asyncpg://...]

Targets: each service call ≤ 1 ms median and ≤ 3 ms p99. The layers table shows where a
call's time goes, in the same run: the statement alone on its own driver connection, an
empty statement through Database.read() and Database.snapshot(), and the board through
read() and Core's execute (the shape of /top's read before it became a one-call snapshot).

On PostgreSQL (--db postgres) the run loads a scratch database of its own with COPY and
drops it afterwards; the server is --url, else CIRCLEBOT_BENCH_POSTGRES_URL, else the local
default (see bench/pg.py).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite
import asyncpg
import sqlalchemy as sa

import pg
from bot.clock import FakeClock
from bot.services.leaderboard import do_show_leaderboard, get_rank
from bot.services.points import WINDOWS
from bot.services.points_rules import local_day
from storage.db import Database
from storage.repos import boards
from storage.schema import memberships, points_ledger, users

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
    if db.dialect_name == "postgresql":
        return await _populate_postgres(db, members, rows)
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


_LEDGER_COLUMNS = [c.name for c in points_ledger.c if c.name != "id"]


async def _populate_postgres(db: Database, members: int, rows: int) -> float:
    """The same data, loaded with COPY; the totals rebuilt by the same statements; then ANALYZE."""
    started = time.perf_counter()
    today = local_day(NOW, "UTC")
    async with db.transaction() as repos:
        await repos.communities.register(COMMUNITY, "Big Circle", "supergroup", "bigcircle", NOW)
    ids = range(FIRST_USER, FIRST_USER + members)
    await pg.copy_rows(db, users, ["id", "first_name", "username", "is_bot", "created_at", "updated_at"],
                       ((uid, f"Member {uid - FIRST_USER}", f"member{uid - FIRST_USER}", False, NOW, NOW)
                        for uid in ids))
    await pg.copy_rows(db, memberships, ["community_id", "user_id", "status", "is_admin", "joined_at"],
                       ((COMMUNITY, uid, "member", False, NOW) for uid in ids))
    ledger = [tuple(row[c] for c in _LEDGER_COLUMNS) for row in _ledger_rows(members, rows, today)]
    copied = time.perf_counter()
    await pg.copy_rows(db, points_ledger, _LEDGER_COLUMNS, ledger)
    rebuilt = time.perf_counter()
    async with db.transaction() as repos:
        await repos.ledger.rebuild(COMMUNITY, today, WINDOWS, NOW)
    analyzed = time.perf_counter()
    await pg.analyze(db)
    done = time.perf_counter()
    print(f"PostgreSQL load: members copied and ledger rows generated in {copied - started:.1f} s, "
          f"{rows} ledger rows copied in {rebuilt - copied:.1f} s ({rows / (rebuilt - copied):,.0f} rows/s), "
          f"totals rebuilt in {analyzed - rebuilt:.1f} s, ANALYZE {done - analyzed:.1f} s")
    return done - started


@asynccontextmanager
async def _database(args: argparse.Namespace) -> AsyncIterator[str]:
    """Yield the URL of an empty database on the chosen backend, removed afterwards."""
    if args.db == "postgres":
        async with pg.scratch_database(pg.server_url(args.url)) as url:
            yield url
        return
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"


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
    async with _database(args) as url:
        db = await Database.open(url)
        try:
            seconds = await populate(db, args.members, args.rows)
            async with db.read() as repos:
                totals = await repos.ledger.member_totals(COMMUNITY)
                windows = {p: len(await repos.ledger.windows(COMMUNITY, p)) for p in WINDOWS}
            print(f"{db.dialect_name}: {args.members} members, {args.rows} ledger rows over {DAYS} days "
                  f"(generated and totals rebuilt in {seconds:.1f} s)")
            print(f"members with points: all time {len(totals)}, 30 days {windows[30]}, 7 days {windows[7]}")
            await report(db, args)
            await layers(db, args)
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


def _board_params(member: int) -> dict[str, object]:
    return {"c": COMMUNITY, "p": 7, "n": 10, "u": member}


@asynccontextmanager
async def _statement_alone(url: str) -> AsyncIterator[Callable[[int], Awaitable[object]]]:
    """Yield a run of the 7-day board's statement on a driver connection of its own (no pool, no transaction)."""
    parsed = sa.engine.make_url(url)
    dialect = sa.create_mock_engine(parsed, lambda *a, **k: None).dialect
    compiled = boards._STANDING[False].stmt.compile(dialect=dialect)

    def values(member: int) -> list[object]:
        named = {**compiled.params, **_board_params(member)}
        return [named[name] for name in compiled.positiontup]

    if parsed.get_backend_name() == "sqlite":
        conn = await aiosqlite.connect(parsed.database, isolation_level=None)
        try:
            yield lambda member: conn.execute_fetchall(compiled.string, values(member))
        finally:
            await conn.close()
        return
    pg_conn = await asyncpg.connect(parsed.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        prepared = await pg_conn.prepare(compiled.string)
        yield lambda member: prepared.fetch(*values(member))
    finally:
        await pg_conn.close()


async def layers(db: Database, args: argparse.Namespace) -> None:
    """Print where a /top call's time goes, each layer timed in this run."""
    rng = random.Random(13)

    def member() -> int:
        return FIRST_USER + rng.randrange(args.members)

    async def empty_read() -> None:
        async with db.read() as repos:
            await repos.conn.exec_driver_sql("SELECT 1")

    async def empty_snapshot() -> None:
        async with db.snapshot():
            pass

    async def core_read() -> None:
        async with db.read() as repos:
            (await repos.conn.execute(boards._STANDING[False].stmt, _board_params(member()))).all()

    async def snapshot_board() -> None:
        async with db.snapshot() as repos:
            await repos.boards.standing(COMMUNITY, 7, 10, member())

    clock = FakeClock(NOW)
    calls = {
        "db.read() + SELECT 1 via Core": empty_read,
        "db.snapshot(), no statement": empty_snapshot,
        "7d board: db.read() + Core execute": core_read,
        "7d board: db.snapshot() + one call": snapshot_board,
        "/top 7d service call (now)": lambda: do_show_leaderboard(db, clock, COMMUNITY, 7, member()),
    }
    print(f"\n{'layer (7-day board)':<38} {'p50 ms':>8} {'p99 ms':>8}   ({args.runs} runs)")
    results = {}
    async with _statement_alone(db.engine.url.render_as_string(hide_password=False)) as alone:
        calls = {"statement alone (own driver conn)": lambda: alone(member()), **calls}
        for label, call in calls.items():
            results[label] = await _time(call, args.runs)
            print(f"{label:<38} {results[label]['p50']:>8.3f} {results[label]['p99']:>8.3f}")
    before = results["7d board: db.read() + Core execute"]["p50"]
    now = results["/top 7d service call (now)"]["p50"]
    print(f"read() + Core execute / /top now (median): {before / now:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--baseline-runs", type=int, default=5)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--url", help=f"PostgreSQL server (else ${pg.URL_ENV}, else {pg.DEFAULT_URL})")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
