"""A real `circlebot run` killed while its outbox drains a batch: on restart every recipient gets the notice.

Duplicates are bounded by the sends in flight at the kill (Telegram took the message, the
process died before marking it sent), so at most the sender's concurrency.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter

import pytest

from bot.clock import SystemClock
from bot.config import TelegramConfig
from bot.services.notices import queue_notice
from storage.db import Database
from tests.fixtures import outbox_settled, start_bot_process
from tgsim import Simulator
from tests.databases import DbUrls

# Claims of the killed process lapse after 5 s; the timer looks for them every second.
QUICK_LEASE = {"CIRCLEBOT__BOT__OUTBOX_LEASE": "5", "CIRCLEBOT__BOT__OUTBOX_INTERVAL": "1"}
RECIPIENTS = 100
CONCURRENCY = TelegramConfig().outbox_concurrency


@pytest.mark.flood_limits
async def test_sigkill_mid_batch_then_restart_reaches_everyone_with_few_repeats(sim: Simulator, db_urls: DbUrls) -> None:
    people = [sim.user(f"Reader{i}") for i in range(RECIPIENTS)]
    for person in people:
        person.record.started = True
    db_url = db_urls('bot.db')
    db = await Database.open(db_url)
    async with db.transaction() as repos:
        for person in people:
            text = f"digest for {person.id}"
            await queue_notice(repos, f"digest:{person.id}", person.id, "prerendered", SystemClock().now(), text=text)
    await db.close()

    def received() -> Counter[int]:
        return Counter({p.id: len(sim.bot_messages(p.id)) for p in people if sim.bot_messages(p.id)})

    process = await start_bot_process(sim, db_url, **QUICK_LEASE)
    try:
        await sim.wait_for(lambda: len(received()) >= RECIPIENTS // 3, timeout=30)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        at_kill = len(received())
        assert at_kill < RECIPIENTS  # killed mid-drain

        process = await start_bot_process(sim, db_url, **QUICK_LEASE)
        await sim.wait_for(lambda: len(received()) == RECIPIENTS, timeout=30)
        await sim.wait_until(lambda: outbox_settled(db_url), timeout=15)
        counts = received()
        assert all(counts[p.id] >= 1 for p in people)
        assert all(m.content == f"digest for {p.id}" for p in people for m in sim.bot_messages(p.id))
        repeats = sum(n - 1 for n in counts.values())
        assert repeats <= CONCURRENCY, f"{repeats} repeats; at most the {CONCURRENCY} sends in flight at the kill"
        assert sim.flood.refused == 0
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
