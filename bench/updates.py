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
from bot.simulator import Simulator

Hook = Callable[[int, float], None]


async def _populate(sim: Simulator, groups: int, users: int):
    owner = sim.user("Owner", username="owner")
    chats = [sim.group(f"Group {g}", owner=owner, supergroup=True) for g in range(groups)]
    people = [sim.user(f"User {u}", username=f"user{u}") for u in range(users)]
    return owner, chats, people


async def _measure(sim: Simulator, chats, people, n: int, done: dict[int, float]) -> dict[str, float]:
    first = None
    ids = []
    for i in range(n):
        update_id = sim.inject_group_message(chats[i % len(chats)], people[i % len(people)], f"message number {i} with some text")
        first = first or update_id
        ids.append(update_id)
    started = time.perf_counter()
    while len([u for u in ids if u in done]) < n:
        await asyncio.sleep(0.01)
        if time.perf_counter() - started > 300:
            raise TimeoutError("updates were not all handled within 300 s")
    latencies = sorted((done[u] - sim.update_created_at(u)) * 1000 for u in ids)
    elapsed = max(done[u] for u in ids) - min(sim.update_created_at(u) for u in ids)
    return {
        "updates_per_s": n / elapsed,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
    }


async def bench_circlebot(n: int, groups: int, users: int) -> dict[str, float]:
    """Run the real circlebot application against the simulator."""
    async with Simulator() as sim:
        owner, chats, people = await _populate(sim, groups, users)
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(
                None,
                telegram={"base_url": sim.base_url, "base_file_url": sim.base_file_url, "poll_timeout": 1},
                storage={"url": f"sqlite+aiosqlite:///{tmp}/bench.db"},
                logging={"level": "WARNING"},
            )
            runner = BotRunner(settings, sim.token)
            await runner.start()
            try:
                for chat in chats:
                    await chat.add_bot(by=owner, admin=True)
                    await owner.expect(chat, contains="Hello", timeout=10)
                return await _measure(sim, chats, people, n, runner.done)
            finally:
                await runner.stop()


async def bench_bare_ptb(n: int, groups: int, users: int) -> dict[str, float]:
    """Run a bare PTB Application with one no-op handler against the simulator."""
    async with Simulator() as sim:
        owner, chats, people = await _populate(sim, groups, users)
        for chat in chats:
            await chat.add_bot(by=owner, admin=True)
        done: dict[int, float] = {}

        async def noop(update: Update, _context: object) -> None:
            done[update.update_id] = time.perf_counter()

        app = ApplicationBuilder().token(sim.token).base_url(sim.base_url).concurrent_updates(64).build()
        app.add_handler(MessageHandler(filters.ALL, noop))
        await app.initialize()
        await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES)
        await app.start()
        try:
            return await _measure(sim, chats, people, n, done)
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()


def _show(label: str, figures: dict[str, float]) -> None:
    print(
        f"{label:<12} {figures['updates_per_s']:>9.0f} updates/s   "
        f"p50 {figures['p50_ms']:>8.1f} ms   p99 {figures['p99_ms']:>8.1f} ms"
    )


async def main_async(args: argparse.Namespace) -> None:
    bare = await bench_bare_ptb(args.updates, args.groups, args.users)
    ours = await bench_circlebot(args.updates, args.groups, args.users)
    print(f"{args.updates} group messages, {args.groups} groups, {args.users} users")
    _show("bare PTB", bare)
    _show("circlebot", ours)
    print(f"ratio circlebot/bare throughput: {ours['updates_per_s'] / bare['updates_per_s']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=5000)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--users", type=int, default=500)
    setup_logging("WARNING")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
