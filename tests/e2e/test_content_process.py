"""A real `circlebot run` killed between the payment's commit and the delivery delivers once on restart."""

from __future__ import annotations

import asyncio
import signal

from tests.content.flows import SECRET, delivered, invoice_for
from tests.fixtures import start_bot_process, stored



async def _start(sim, db_url: str) -> asyncio.subprocess.Process:
    # No retry timer before the kill: only the start-up repair pass may deliver.
    return await start_bot_process(sim, db_url, CIRCLEBOT_PAYLOAD_SECRET=SECRET,
                                   CIRCLEBOT__PAYMENTS__DELIVERY_INTERVAL="3600")

async def _entitlements(db_url: str) -> list[tuple[str, int]]:
    """(delivery, attempts) of every entitlement the bot stored."""
    async with stored(db_url) as repos:
        return [(e.delivery, e.delivery_attempts) for e in await repos.entitlements.list_all()]


async def _entitlements_are(db_url: str, expected: list[tuple[str, int]]) -> bool:
    return await _entitlements(db_url) == expected


async def _payments(db_url: str) -> int:
    async with stored(db_url) as repos:
        return len(await repos.payments.list_all())


async def test_sigkill_between_payment_and_delivery_delivers_once(sim, db_urls, carol, alice) -> None:
    db_url = db_urls('bot.db')
    process = await _start(sim, db_url)
    try:
        group = sim.group("Kill Circle", owner=carol, supergroup=True)
        await group.add_bot(by=carol, admin=True)
        await carol.expect(group, contains="Hello", timeout=30)
        await carol.start()
        await carol.expect(timeout=30)
        document = await carol.send_document(None, "guide.pdf", b"%PDF-1.4 secret", caption="SECRET-KILL guide")
        await carol.reply(document, "/publish 25 | Kill guide | ops")
        await carol.expect(contains="Published", timeout=30)
        await alice.start()
        await alice.expect(timeout=30)
        await alice.join(group)
        alice.stars = 100
        invoice = await invoice_for(alice, 1)
        # The delivery call fails once: the payment is committed, the content is not delivered.
        sim.fail_method("sendDocument", 502, "Bad Gateway", times=1)
        assert (await alice.pay(invoice)).ok
        await sim.wait_until(lambda: _entitlements_are(db_url, [("pending", 1)]), timeout=30)
        assert await _payments(db_url) == 1
        assert not delivered(sim, alice, "SECRET-KILL")
        process.send_signal(signal.SIGKILL)
        await process.wait()

        process = await _start(sim, db_url)
        await sim.wait_for(lambda: delivered(sim, alice, "SECRET-KILL"), timeout=30)
        # Telegram redelivers the unconfirmed payment update too; it changes nothing.
        paid = [u for u, e in sim.updates.all.items() if e.kind == "message" and "successful_payment" in e.payload]
        sim.duplicate_update(paid[-1], times=2)
        await alice.send(None, "/mycontent")
        assert "Kill guide" in (await alice.expect(contains="Your content", timeout=30)).text
        assert len(delivered(sim, alice, "SECRET-KILL")) == 1
        assert [delivery for delivery, _ in await _entitlements(db_url)] == ["delivered"]
        assert await _payments(db_url) == 1
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
