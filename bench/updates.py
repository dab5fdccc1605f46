"""Throughput and latency of group-message updates through the running bot.

N group messages from many users in many groups are injected into the simulator and
fetched by the bot with getUpdates. Latency is measured from the moment the simulator
created the update to the moment its handlers finished. The same load is then pushed
through a bare PTB Application with a no-op handler, and the ratio printed.

    python bench/updates.py [--updates 5000] [--groups 20] [--users 500]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ApplicationBuilder, MessageHandler, filters

from bot.config import load_settings
from bot.logs import setup_logging
from bot.runner import BotRunner
from tgsim import Simulator

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


async def bench_circlebot(n: int, groups: int, users: int, rate: float | None = None) -> dict[str, float]:
    """Run the real circlebot application against the simulator; every message earns a point."""
    async with Simulator() as sim:
        owner, chats, people = await _populate(sim, groups, users)
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(
                None,
                telegram={"base_url": sim.base_url, "base_file_url": sim.base_file_url, "poll_timeout": 1},
                storage={"url": f"sqlite+aiosqlite:///{tmp}/bench.db"},
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


def _show(label: str, figures: dict[str, float]) -> None:
    earned = f"   {figures['earned']:.0f} earned points" if "earned" in figures else ""
    print(
        f"{label:<12} {figures['updates_per_s']:>9.0f} updates/s   "
        f"p50 {figures['p50_ms']:>8.1f} ms   p99 {figures['p99_ms']:>8.1f} ms{earned}"
    )


async def main_async(args: argparse.Namespace) -> None:
    print(f"{args.updates} group messages, {args.groups} groups, {args.users} users")
    for label, rate in (("burst", None), (f"paced {args.rate:.0f}/s", args.rate)):
        bare = await bench_bare_ptb(args.updates, args.groups, args.users, rate)
        ours = await bench_circlebot(args.updates, args.groups, args.users, rate)
        print(f"-- {label}")
        _show("bare PTB", bare)
        _show("circlebot", ours)
        print(f"ratio circlebot/bare throughput: {ours['updates_per_s'] / bare['updates_per_s']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=5000)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--rate", type=float, default=500, help="updates/s of the paced run")
    setup_logging("WARNING")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
