"""Time from a successful_payment to the delivered content, through the running bot.

Buyers open an item's card by deep link, press Buy, pay the invoice in the simulator, and
wait for the content in their private chat. For each purchase the clock starts when the
simulator posts the successful_payment (right after the bot approved the pre-checkout) and
stops when the content message exists. Purchases run one after another, so the figures are
latencies, not queueing; the pre-checkout round trip (query sent → answered) is printed too.

Each purchase makes the bot send four chat messages (card, invoice, content, thank-you), and
every chat message goes through the bot's overall rate limit (`telegram.overall_max_rate`,
30/s as Telegram allows). Back to back, purchases would ask for more than that, and the
content would wait in the rate limiter, not in circlebot: so a purchase starts at most every
`--interval` seconds (0.15 s: under 27 messages a second). `--interval 0` shows that
saturated case.

The baseline, in the same run and paced the same way: the bare round trip of the same
content sent with sendMessage through the same bot (and rate limiter) until it exists in the
simulator. Targets: median ≤ 15 ms, p95 ≤ 30 ms. One layer is timed on its own as well: the
payment's transaction (do_record_payment, what runs between the update and the send) for
fresh orders, straight through the services.

    python bench/payments.py [--purchases 100] [--buyers 10] [--interval 0.15] [--db postgres [--url URL]]

With --db postgres the bot runs on a scratch PostgreSQL database (bench/pg.py), dropped afterwards.
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

import pg
from bot.config import PAYLOAD_SECRET_ENV, load_settings
from bot.logs import setup_logging
from bot.payload import sign_order
from bot.runner import BotRunner
from bot.services.communities import UserInfo
from bot.services.content import ContentSource, PublishSpec, do_publish_item
from bot.services.payments import PaymentInfo, do_create_item_order, do_record_payment
from tgsim import Simulator
from tgsim.world import ChatRecord


def _delivered(chat: ChatRecord, marker: str) -> bool:
    return any(m.from_bot and marker in m.content for m in chat.messages.values())


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


async def bench(purchases: int, buyers: int, interval: float = 0.15, url: str | None = None) -> dict[str, float]:
    """Run the purchases and return the latency figures in milliseconds (on SQLite unless url is given)."""
    os.environ.setdefault(PAYLOAD_SECRET_ENV, secrets.token_hex(32))
    async with Simulator() as sim:
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(
                None,
                telegram={"base_url": sim.base_url, "base_file_url": sim.base_file_url, "poll_timeout": 1},
                storage={"url": url or f"sqlite+aiosqlite:///{tmp}/bench.db"},
                logging={"level": "WARNING"},
            )
            runner = BotRunner(settings, sim.token)
            await runner.start()
            try:
                return await _run(sim, runner, purchases, buyers, interval)
            finally:
                await runner.stop()


async def _paced(started: float, interval: float) -> float:
    """Sleep until interval seconds after started; return now."""
    wait = started + interval - time.perf_counter()
    if wait > 0:
        await asyncio.sleep(wait)
    return time.perf_counter()


async def _baseline(sim: Simulator, runner: BotRunner, people, sends: int, interval: float) -> list[float]:
    """Time bare sendMessage round trips of a content-sized text through the same bot, paced alike."""
    text = "BASELINE " + "lorem ipsum " * 20
    latencies = []
    last = 0.0
    for n in range(sends):
        last = await _paced(last, interval)
        person = people[n % len(people)]
        marker = f"BASELINE-{n} "
        started = time.perf_counter()
        await runner.app.bot.send_message(person.id, marker + text)
        await sim.wait_for(partial(_delivered, sim.world.chats[person.id], marker), 10)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def _run(sim: Simulator, runner: BotRunner, purchases: int, buyers: int, interval: float) -> dict[str, float]:
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
    last = 0.0
    for n in range(purchases):
        last = await _paced(last, interval)
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
    baseline = await _baseline(sim, runner, people, max(20, purchases // 2), interval / 4)
    layer = sim.user("Layer buyer", username="layer_buyer", stars=100_000)
    await layer.start()
    await layer.expect(timeout=10)
    buyer = UserInfo(layer.id, layer.record.first_name, None, layer.record.username, "en")
    recording = await _record_alone(runner, group.id, owner.id, buyer, max(20, purchases // 2))
    return {
        "record_p50_ms": statistics.median(recording),
        "purchases": purchases,
        "baseline_p50_ms": statistics.median(baseline),
        "baseline_p95_ms": _percentile(baseline, 0.95),
        "delivery_p50_ms": statistics.median(delivery),
        "delivery_p95_ms": _percentile(delivery, 0.95),
        "delivery_max_ms": max(delivery),
        "precheckout_p50_ms": statistics.median(checkout),
    }


async def _record_alone(runner: BotRunner, group_id: int, owner_id: int, buyer: UserInfo, count: int) -> list[float]:
    """Time the payment's transaction by itself: fresh items and orders, recorded straight through the services."""
    state = runner.app.bot_data
    latencies = []
    for n in range(count):
        spec = PublishSpec(f"Layer item {n}", ("bench",), price_stars=5)
        source = ContentSource("text", "lorem ipsum " * 20, None)
        item = await do_publish_item(state.db, state.clock, group_id, owner_id, spec, source)
        order, _ = await do_create_item_order(state.db, state.clock, state.settings.payments, state.payload_secret,
                                              state.settings.points.levels, item.id, buyer)
        info = PaymentInfo(buyer, f"layer-{n}", None, sign_order(order.id, state.payload_secret), "XTR", 5)
        started = time.perf_counter()
        outcome = await do_record_payment(state.db, state.clock, state.payload_secret, info)
        latencies.append((time.perf_counter() - started) * 1000)
        assert outcome.delivery is not None
    return latencies


async def _main_async(args: argparse.Namespace) -> dict[str, float]:
    if args.db != "postgres":
        return await bench(args.purchases, args.buyers, args.interval)
    async with pg.scratch_database(pg.server_url(args.url)) as url:
        return await bench(args.purchases, args.buyers, args.interval, url)


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--purchases", type=int, default=100)
    parser.add_argument("--buyers", type=int, default=10)
    parser.add_argument("--interval", type=float, default=0.15, help="seconds between purchases (0: back to back)")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--url", default=None, help="PostgreSQL server for --db postgres (see bench/pg.py)")
    args = parser.parse_args()
    setup_logging("WARNING")
    figures = asyncio.run(_main_async(args))
    print(f"on {args.db}")
    ok = figures["delivery_p50_ms"] <= 15 and figures["delivery_p95_ms"] <= 30
    print(
        f"{figures['purchases']} purchases, one every {args.interval:.2f} s: successful_payment → content delivered "
        f"median {figures['delivery_p50_ms']:.1f} ms, p95 {figures['delivery_p95_ms']:.1f} ms, "
        f"max {figures['delivery_max_ms']:.1f} ms ({'ok' if ok else 'SLOW'}); pre-checkout round trip median "
        f"{figures['precheckout_p50_ms']:.1f} ms"
    )
    print(
        f"baseline, bare sendMessage round trip of the same content: median {figures['baseline_p50_ms']:.1f} ms, "
        f"p95 {figures['baseline_p95_ms']:.1f} ms; ratio delivery/baseline (median) "
        f"{figures['delivery_p50_ms'] / figures['baseline_p50_ms']:.1f}x"
    )
    print(f"layer: the payment's transaction alone (do_record_payment) median {figures['record_p50_ms']:.1f} ms")


if __name__ == "__main__":
    main()
