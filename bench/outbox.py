"""Outbox delivery at Telegram's limits: a large batch through the running bot against the simulator.

The simulator enforces its flood limits (per private chat ~1/s, per group 20/min, answering
429 like Telegram); its overall limit is raised for the run (--sim-overall) so that the
outbox's own pace is what bounds the rate. The batch is queued in one transaction, whose
commit wakes the sender and starts the clock; it stops when the last notice exists in the
simulator. Everything (bot, database, simulator) shares one process and one event loop.
Printed: the achieved rate against the configured one, the 429s (target zero), the closest
spacing seen in one chat, and whether every chat got exactly its notices, in order.

    python bench/outbox.py [--notices 2000] [--private 1000] [--groups 20] [--group-notices 100]
                           [--rate 25] [--concurrency 8] [--sim-overall 100] [--paid]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Iterator

from bot.config import load_settings
from bot.logs import setup_logging
from bot.runner import BotRunner
from bot.services.notices import queue_notice
from tgsim import Simulator
from tgsim.world import ChatRecord, Member


def _plan(private: list[int], groups: list[int], notices: int, group_notices: int) -> Iterator[tuple[int, str]]:
    """Yield (chat, text), each chat's notices queued one after another (the hard case for per-chat pacing).

    group_notices are spread over the groups, the rest over the private chats.
    """
    targets = [groups[i % len(groups)] for i in range(group_notices)] if groups else []
    targets += [private[i % len(private)] for i in range(notices - len(targets))]
    order = {chat: n for n, chat in enumerate(dict.fromkeys(targets))}
    for n, chat in enumerate(sorted(targets, key=order.__getitem__)):
        yield chat, f"notice {n} to {chat}"


def _spacing(chats: list[ChatRecord]) -> float:
    gaps = [
        b.stamp - a.stamp
        for chat in chats
        for a, b in zip(list(chat.messages.values()), list(chat.messages.values())[1:])
    ]
    return min(gaps, default=float("inf"))


async def bench(args: argparse.Namespace) -> dict[str, object]:
    """Deliver the batch and return the figures."""
    async with Simulator(flood_limits=True, overall_rate=args.sim_overall) as sim:
        owner = sim.user("Owner")
        people = [sim.user(f"Reader{i}") for i in range(args.private)]
        for person in people:
            person.record.started = True
        groups = [sim.group(f"Circle {i}", owner=owner) for i in range(args.groups)]
        for group in groups:
            group.chat.members[sim.bot.id] = Member(sim.bot, "member", is_member=True)
        private_ids, group_ids = [p.id for p in people], [g.chat.id for g in groups]
        plan = list(_plan(private_ids, group_ids, args.notices, args.group_notices))
        chats = [sim.world.chats[c] for c in private_ids + group_ids]
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(
                None,
                telegram={
                    "base_url": sim.base_url, "base_file_url": sim.base_file_url, "poll_timeout": 1,
                    "outbox_rate": args.rate, "outbox_concurrency": args.concurrency,
                },
                storage={"url": f"sqlite+aiosqlite:///{tmp}/bench.db"},
                logging={"level": "WARNING"},
            )
            runner = BotRunner(settings, sim.token)
            await runner.start()
            try:
                assert runner.app is not None
                db, clock = runner.app.bot_data.db, runner.app.bot_data.clock
                async with db.transaction() as repos:
                    for n, (chat, text) in enumerate(plan):
                        await queue_notice(
                            repos, f"bench:{n}", chat, "prerendered", clock.now(), paid_broadcast=args.paid, text=text
                        )
                started = time.perf_counter()  # the commit has just woken the sender
                # Nobody else writes in these chats: every message in them is a notice.
                await sim.wait_for(lambda: sum(c.next_message_id - 1 for c in chats) >= len(plan), timeout=3600)
                elapsed = time.perf_counter() - started
            finally:
                await runner.stop()
        expected: dict[int, list[str]] = {}
        for chat, text in plan:
            expected.setdefault(chat, []).append(text)
        exact = all([m.content for m in c.messages.values()] == expected.get(c.id, []) for c in chats)
        configured = settings.telegram.outbox_paid_rate if args.paid else settings.telegram.outbox_rate
        return {
            "notices": len(plan),
            "chats": f"{args.private} private, {args.groups} groups",
            "elapsed_s": round(elapsed, 2),
            "achieved_per_s": round(len(plan) / elapsed, 2),
            "configured_per_s": configured,
            "ratio": round(len(plan) / elapsed / configured, 3),
            "http_429": sim.flood.refused,
            "min_gap_private_s": round(_spacing(chats[: args.private]), 3),
            "min_gap_group_s": round(_spacing(chats[args.private:]), 3),
            "every_chat_exactly_its_notices_in_order": exact,
        }


def main() -> None:
    """Parse arguments, run, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=2000)
    parser.add_argument("--private", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--group-notices", type=int, default=100)
    parser.add_argument("--rate", type=float, default=25, help="outbox_rate (at most 30)")
    parser.add_argument("--concurrency", type=int, default=8, help="outbox_concurrency (sends in flight)")
    parser.add_argument("--sim-overall", type=float, default=100, help="the simulator's overall limit per second")
    parser.add_argument("--paid", action="store_true", help="send every notice as a paid broadcast")
    args = parser.parse_args()
    setup_logging("WARNING")
    figures = asyncio.run(bench(args))
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
