"""A real `circlebot run` killed while a broadcast goes out: after the restart every member has it once,
but for the sends in flight at the kill, and the broadcast ends as done."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter

import pytest

from bot.clock import SystemClock
from bot.config import Settings, TelegramConfig
from bot.services.broadcasts import do_draft_broadcast, do_send_broadcast
from storage.db import Database
from tests.fixtures import outbox_settled, start_bot_process
from tgsim import Simulator
from tests.databases import DbUrls

QUICK = {"CIRCLEBOT__BOT__OUTBOX_LEASE": "5", "CIRCLEBOT__BOT__OUTBOX_INTERVAL": "1"}
MEMBERS = 100
CONCURRENCY = TelegramConfig().outbox_concurrency
GROUP_ID = -1001000000777


@pytest.mark.flood_limits
async def test_sigkill_mid_broadcast_then_restart_reaches_everyone_once(sim: Simulator, db_urls: DbUrls) -> None:
    admin = sim.user("Carol")
    people = [sim.user(f"Member{i}") for i in range(MEMBERS)]
    for person in (admin, *people):
        person.record.started = True
    db_url = db_urls('bot.db')
    clock = SystemClock()
    db = await Database.open(db_url)
    now = clock.now()
    async with db.transaction() as repos:
        await repos.communities.register(GROUP_ID, "Kill Circle", "supergroup", None, now)
        for person in (admin, *people):
            await repos.users.upsert(person.id, person.first_name, None, None, "en", False, now)
            await repos.users.mark_started(person.id, now)
            await repos.memberships.upsert(GROUP_ID, person.id, "member", person is admin, now)
    broadcast, reach = await do_draft_broadcast(db, clock, Settings(), GROUP_ID, admin.id, "Big news")
    assert reach == MEMBERS
    assert await do_send_broadcast(db, clock, Settings(), broadcast.id, admin.id) is not None
    await db.close()

    def received() -> Counter[int]:
        return Counter({p.id: len(sim.bot_messages(p.id)) for p in people if sim.bot_messages(p.id)})

    process = await start_bot_process(sim, db_url, **QUICK)
    try:
        await sim.wait_for(lambda: len(received()) >= MEMBERS // 3, timeout=30)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        assert len(received()) < MEMBERS  # killed mid-broadcast

        process = await start_bot_process(sim, db_url, **QUICK)
        await sim.wait_for(lambda: len(received()) == MEMBERS, timeout=30)
        await sim.wait_until(lambda: outbox_settled(db_url), timeout=15)
        counts = received()
        repeats = sum(n - 1 for n in counts.values())
        assert repeats <= CONCURRENCY, f"{repeats} repeats; at most the {CONCURRENCY} sends in flight at the kill"
        assert all("Big news" in m.content for p in people for m in sim.bot_messages(p.id))
        assert sim.bot_messages(admin.id) == [] and sim.flood.refused == 0

        async def finished() -> bool:
            check = await Database.open(db_url)
            try:
                async with check.read() as repos:
                    return (await repos.broadcasts.get(broadcast.id)).status == "done"
            finally:
                await check.close()

        await sim.wait_until(finished, timeout=15)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
