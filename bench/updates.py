"""Throughput and latency of group-message updates through the running bot.

N group messages from many users in many groups are injected into the simulator and
fetched by the bot with getUpdates. Latency is measured from the moment the simulator
created the update to the moment its handlers finished. The same load is then pushed
through a bare PTB Application with a no-op handler, and the ratio printed.

    python bench/updates.py [--updates 5000] [--groups 20] [--users 500] [--repeat 1]
    python bench/updates.py --db postgres [--url postgresql+asyncpg://...]

The bare application's throughput moves a lot on a shared machine; --repeat N runs the
burst pair N times, alternating, and prints each ratio and their median.

With --db postgres the burst runs on SQLite and on PostgreSQL in the same run (ratio
printed), then through `circlebot run --workers N` in webhook mode on one PostgreSQL
database: 2 workers vs 1. Each PostgreSQL run gets a scratch database of its own, dropped
afterwards (bench/pg.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationBuilder, MessageHandler, filters

from bot.config import load_settings
from bot.logs import setup_logging
from bot.runner import BotRunner
from storage.db import Database
from tgsim import Simulator

import pg

ROOT = Path(__file__).resolve().parent.parent


async def _populate(sim: Simulator, groups: int, users: int):
    owner = sim.user("Owner", username="owner")
    chats = [sim.group(f"Group {g}", owner=owner, supergroup=True) for g in range(groups)]
    people = [sim.user(f"User {u}", username=f"user{u}") for u in range(users)]
    return owner, chats, people


async def _measure(
    sim: Simulator,
    chats,
    people,
    n: int,
    done: dict[int, float],
    wait: Callable[[int], Awaitable[float | None]],
    rate: float | None,
) -> dict[str, float]:
    ids = []
    for i in range(n):
        text = f"message number {i} with some text"
        ids.append(sim.inject_group_message(chats[i % len(chats)], people[i % len(people)], text))
        if rate and i % 10 == 9:
            # Paced load: latency without the queue a burst builds up.
            await asyncio.sleep(10 / rate)
    # `wait` may return when the work behind the handlers finished too (circlebot's points
    # are committed after the handler returns): throughput counts up to that moment.
    finished = await wait(ids[-1])
    latencies = sorted((done[u] - sim.update_created_at(u)) * 1000 for u in ids)
    elapsed = max(finished or 0, *(done[u] for u in ids)) - min(sim.update_created_at(u) for u in ids)
    return {
        "updates_per_s": n / elapsed,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)],
    }


async def bench_circlebot(
    n: int, groups: int, users: int, rate: float | None = None, url: str | None = None
) -> dict[str, float]:
    """Run the real circlebot application against the simulator; every message earns a point.

    url: an empty database (default: a fresh SQLite file).
    """
    if url is None:
        with tempfile.TemporaryDirectory() as tmp:
            return await bench_circlebot(n, groups, users, rate, f"sqlite+aiosqlite:///{tmp}/bench.db")
    async with Simulator() as sim:
        owner, chats, people = await _populate(sim, groups, users)
        settings = load_settings(
            None,
            telegram={"base_url": sim.base_url, "base_file_url": sim.base_file_url, "poll_timeout": 1},
            storage={"url": url},
            logging={"level": "WARNING"},
            # No cooldown, so each message takes the whole points path (ledger row, totals,
            # windows, daily bucket, rank histogram); the daily cap of 30 is not reached.
            points={"message_cooldown": 0},
        )
        runner = BotRunner(settings, sim.token)
        await runner.start()
        try:
            for chat in chats:
                await chat.add_bot(by=owner, admin=True)
                await owner.expect(chat, contains="Hello", timeout=10)
            await _warm_up(sim, runner, chats, people)

            async def committed(last: int) -> float:
                await runner.wait_processed(last, timeout=300)
                await runner.app.bot_data.points_writer.flush()
                return time.perf_counter()

            figures = await _measure(sim, chats, people, n, runner.done, committed, rate)
            async with runner.app.bot_data.db.read() as repos:
                earned = await _earned(repos, [chat.id for chat in chats])
            figures["earned"] = earned - len(people)  # the warm-up earned one each
            return figures
        finally:
            await runner.stop()


async def _warm_up(sim: Simulator, runner: BotRunner, chats, people) -> None:
    """Have every user post once, so the measured run sees known members (the steady state)."""
    last = 0
    for i, person in enumerate(people):
        last = sim.inject_group_message(chats[i % len(chats)], person, f"hello everyone, I am user {i}")
    await runner.wait_processed(last, timeout=300)
    await runner.app.bot_data.points_writer.flush()


async def _earned(repos, community_ids: list[int]) -> int:
    """Count the points messages earned in these communities (one ledger row each)."""
    earned = 0
    for community_id in community_ids:
        earned += sum(1 for key in await repos.ledger.keys(community_id) if key.startswith("msg:"))
    return earned


async def bench_bare_ptb(n: int, groups: int, users: int, rate: float | None = None) -> dict[str, float]:
    """Run a bare PTB Application with one no-op handler against the simulator."""
    async with Simulator() as sim:
        owner, chats, people = await _populate(sim, groups, users)
        for chat in chats:
            await chat.add_bot(by=owner, admin=True)
        done: dict[int, float] = {}
        all_done = asyncio.Event()

        async def noop(update: Update, _context: object) -> None:
            done[update.update_id] = time.perf_counter()
            if len(done) >= n:
                all_done.set()

        async def wait(_last: int) -> float | None:
            await asyncio.wait_for(all_done.wait(), 300)
            return None

        app = ApplicationBuilder().token(sim.token).base_url(sim.base_url).concurrent_updates(64).build()
        app.add_handler(MessageHandler(filters.ALL, noop))
        await app.initialize()
        await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES)
        await app.start()
        try:
            return await _measure(sim, chats, people, n, done, wait, rate)
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()


async def _points_committed(db: Database, community_ids: list[int]) -> int:
    total = 0
    async with db.read() as repos:
        for community_id in community_ids:
            total += sum(score for score, _ in (await repos.ledger.member_totals(community_id)).values())
    return total


async def _until_committed(db: Database, community_ids: list[int], points: int, timeout: float) -> float:
    """Wait until the communities hold this many points in all; return when that was seen."""
    deadline = time.perf_counter() + timeout
    while (await _points_committed(db, community_ids)) < points:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"fewer than {points} points committed after {timeout:.0f} s")
        await asyncio.sleep(0.05)
    return time.perf_counter()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def bench_process(n: int, groups: int, users: int, url: str, workers: int = 1) -> dict[str, float]:
    """A burst through `circlebot run --workers N` in webhook mode, timed until its points are committed.

    From outside the processes only the database tells when the work is done, so this gives
    throughput, not per-update latency (polled every 50 ms). Each webhook post opens a new
    connection, so the kernel spreads them over the workers (SO_REUSEPORT).
    """
    port = _free_port()
    async with Simulator() as sim:
        sim.updates.keep_alive = False
        owner, chats, people = await _populate(sim, groups, users)
        env = dict(
            os.environ,
            TELEGRAM_BOT_TOKEN=sim.token,
            CIRCLEBOT__TELEGRAM__BASE_URL=sim.base_url,
            CIRCLEBOT__TELEGRAM__BASE_FILE_URL=sim.base_file_url,
            CIRCLEBOT__TELEGRAM__MODE="webhook",
            CIRCLEBOT__WEBHOOK__URL=f"http://127.0.0.1:{port}/telegram",
            CIRCLEBOT__WEBHOOK__LISTEN="127.0.0.1",
            CIRCLEBOT__WEBHOOK__PORT=str(port),
            CIRCLEBOT__WEBHOOK__SECRET_TOKEN="bench-secret",
            CIRCLEBOT__STORAGE__URL=url,
            CIRCLEBOT__LOGGING__LEVEL="WARNING",
            CIRCLEBOT__POINTS__MESSAGE_COOLDOWN="0",
        )
        command = ["run", "--workers", str(workers)]
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", *command, cwd=ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )
        db: Database | None = None
        try:
            for chat in chats:
                await chat.add_bot(by=owner, admin=True)
                await owner.expect(chat, contains="Hello", timeout=60)
            db = await Database.open(url, migrate=False)  # migrated by the process before it greeted
            ids = [chat.id for chat in chats]
            for i, person in enumerate(people):
                sim.inject_group_message(chats[i % len(chats)], person, f"hello everyone, I am user {i}")
            await _until_committed(db, ids, len(people), 300)
            started = time.perf_counter()
            for i in range(n):
                sim.inject_group_message(chats[i % len(chats)], people[i % len(people)], f"message number {i}")
            finished = await _until_committed(db, ids, len(people) + n, 300)
            return {"updates_per_s": n / (finished - started), "earned": await _points_committed(db, ids) - len(people)}
        finally:
            if db is not None:
                await db.close()
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


async def postgres_report(args: argparse.Namespace) -> None:
    """Burst on SQLite and PostgreSQL in one run; then processes sharing one PostgreSQL database."""
    server = pg.server_url(args.url)
    print(f"{args.updates} group messages, {args.groups} groups, {args.users} users, burst")
    sqlite = await bench_circlebot(args.updates, args.groups, args.users)
    async with pg.scratch_database(server) as url:
        postgres = await bench_circlebot(args.updates, args.groups, args.users, url=url)
    print("-- in process (BotRunner)")
    _show("SQLite", sqlite)
    _show("PostgreSQL", postgres)
    print(f"ratio PostgreSQL/SQLite throughput: {postgres['updates_per_s'] / sqlite['updates_per_s']:.2f}")
    counts = (1, 2)
    print("-- `circlebot run --workers N`, webhook mode, one PostgreSQL database (throughput until committed)")
    per_count: dict[int, dict[str, float]] = {}
    for workers in counts:
        async with pg.scratch_database(server) as url:
            per_count[workers] = figures = await bench_process(args.updates, args.groups, args.users, url, workers)
        print(f"{workers} worker{'s' if workers > 1 else ' '}  {figures['updates_per_s']:>9.0f} updates/s   "
              f"{figures['earned']:.0f} earned points")
    print(f"ratio 2 workers/1 throughput: {per_count[2]['updates_per_s'] / per_count[1]['updates_per_s']:.2f}")


def _show(label: str, figures: dict[str, float]) -> None:
    earned = f"   {figures['earned']:.0f} earned points" if "earned" in figures else ""
    print(
        f"{label:<12} {figures['updates_per_s']:>9.0f} updates/s   "
        f"p50 {figures['p50_ms']:>8.1f} ms   p99 {figures['p99_ms']:>8.1f} ms{earned}"
    )


async def main_async(args: argparse.Namespace) -> None:
    if args.db == "postgres":
        await postgres_report(args)
        return
    print(f"{args.updates} group messages, {args.groups} groups, {args.users} users")
    bursts = [("burst" if args.repeat == 1 else f"burst {n + 1}/{args.repeat}", None) for n in range(args.repeat)]
    ratios = []
    for label, rate in (*bursts, (f"paced {args.rate:.0f}/s", args.rate)):
        bare = await bench_bare_ptb(args.updates, args.groups, args.users, rate)
        ours = await bench_circlebot(args.updates, args.groups, args.users, rate)
        print(f"-- {label}")
        _show("bare PTB", bare)
        _show("circlebot", ours)
        ratio = ours["updates_per_s"] / bare["updates_per_s"]
        print(f"ratio circlebot/bare throughput: {ratio:.2f}")
        if rate is None:
            ratios.append(ratio)
            if len(ratios) == args.repeat > 1:
                print(f"-- burst ratios {', '.join(f'{r:.2f}' for r in ratios)}: median {statistics.median(ratios):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=5000)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--rate", type=float, default=500, help="updates/s of the paced run")
    parser.add_argument("--repeat", type=int, default=1, help="burst pairs to run, alternating (median ratio)")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--url", help=f"PostgreSQL server (else ${pg.URL_ENV}, else {pg.DEFAULT_URL})")
    setup_logging("WARNING")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
