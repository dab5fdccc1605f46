"""Time from a successful_payment to the delivered content, through the running bot.

Buyers open an item's card by deep link, press Buy, pay the invoice in the simulator, and
wait for the content in their private chat. For each purchase the clock starts when the
simulator posts the successful_payment (right after the bot approved the pre-checkout) and
stops when the content message exists. Purchases run one after another, so the figures are
latencies, not queueing; the pre-checkout round trip (query sent → answered) is printed too.

    python bench/payments.py [--purchases 100] [--buyers 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import tempfile
import time
from functools import partial

from bot.config import PAYLOAD_SECRET_ENV, load_settings
from bot.logs import setup_logging
from bot.runner import BotRunner
from bot.services.content import ContentSource, PublishSpec, do_publish_item
from tgsim import Simulator
from tgsim.world import ChatRecord


def _delivered(chat: ChatRecord, marker: str) -> bool:
    return any(m.from_bot and marker in m.content for m in chat.messages.values())


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


async def bench(purchases: int, buyers: int) -> dict[str, float]:
    """Run the purchases and return the latency figures in milliseconds."""
    os.environ.setdefault(PAYLOAD_SECRET_ENV, secrets.token_hex(32))
    async with Simulator() as sim:
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
                return await _run(sim, runner, purchases, buyers)
            finally:
                await runner.stop()


async def _run(sim: Simulator, runner: BotRunner, purchases: int, buyers: int) -> dict[str, float]:
    owner = sim.user("Owner", username="owner")
    group = sim.group("Bench Circle", owner=owner, supergroup=True)
    await group.add_bot(by=owner, admin=True)
    await owner.expect(group, contains="Hello", timeout=10)
    state = runner.app.bot_data
    per_buyer = -(-purchases // buyers)
    items = []
    for i in range(per_buyer):
        spec = PublishSpec(f"Bench item {i}", ("bench",), price_stars=1 + i % 50)
        source = ContentSource("text", f"BENCH-CONTENT-{i} " + "lorem ipsum " * 20, None)
        items.append((await do_publish_item(state.db, state.clock, group.id, owner.id, spec, source)).id)
    people = [sim.user(f"Buyer {b}", username=f"buyer{b}", stars=100_000) for b in range(buyers)]
    for person in people:
        await person.start()
        await person.expect(timeout=10)
    delivery, checkout = [], []
    for n in range(purchases):
        person, index = people[n % buyers], n // buyers
        await person.start(f"item_{items[index]}")
        card = await person.expect(contains=f"#{items[index]}", timeout=10)
        await person.press(card, "Buy for")
        invoice = await person.expect(timeout=10)
        started = time.perf_counter()
        result = await person.pay(invoice)
        paid = time.perf_counter()
        assert result.ok, result.error_message
        await sim.wait_for(partial(_delivered, sim.world.chats[person.id], f"BENCH-CONTENT-{index} "), 10)
        delivery.append((time.perf_counter() - paid) * 1000)
        checkout.append((paid - started) * 1000)
    return {
        "purchases": purchases,
        "delivery_p50_ms": statistics.median(delivery),
        "delivery_p95_ms": _percentile(delivery, 0.95),
        "delivery_max_ms": max(delivery),
        "precheckout_p50_ms": statistics.median(checkout),
    }


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--purchases", type=int, default=100)
    parser.add_argument("--buyers", type=int, default=10)
    args = parser.parse_args()
    setup_logging("WARNING")
    figures = asyncio.run(bench(args.purchases, args.buyers))
    print(
        f"{figures['purchases']} purchases: successful_payment → content delivered "
        f"median {figures['delivery_p50_ms']:.1f} ms, p95 {figures['delivery_p95_ms']:.1f} ms, "
        f"max {figures['delivery_max_ms']:.1f} ms; pre-checkout round trip median "
        f"{figures['precheckout_p50_ms']:.1f} ms"
    )


if __name__ == "__main__":
    main()
