"""Scripted steps shared by the paid-content tests (end to end, and the services' way through a payment)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.services.payments import PaymentInfo, PaymentOutcome, do_record_payment, do_reward_payment
from bot.services.points_rules import Scoring
from storage.db import Database
from tgsim.world import MessageRecord

SECRET = "e2e-payload-secret"


async def publish(carol: Any, group: Any, body: str, line: str) -> int:
    """Carol posts content in the group and publishes it with the one-line form; return the item id."""
    content = await carol.send(group, body)
    await carol.reply(content, f"/publish {line}")
    announcement = await carol.expect(group, contains="New in the catalog")
    match = re.search(r"#(\d+)", announcement.text or "")
    assert match, announcement.text
    return int(match.group(1))


async def card(user: Any, item_id: int) -> MessageRecord:
    """Open an item's card through its deep link."""
    await user.start(f"item_{item_id}")
    return await user.expect(contains=f"#{item_id}")


async def invoice_for(user: Any, item_id: int) -> MessageRecord:
    """Press Buy on the item's card and return the invoice the bot sends."""
    message = await card(user, item_id)
    await user.press(message, "Buy for")
    invoice = await user.expect()
    assert "invoice" in invoice.extra, invoice.content
    return invoice


def delivered(sim: Any, user: Any, marker: str) -> list[MessageRecord]:
    """The bot's messages in the user's private chat that carry the content marker."""
    return [m for m in sim.bot_messages(None, user=user) if marker in m.content]


async def pre_checkout(sim: Any, user: Any, payload: str, currency: str, amount: int) -> dict[str, Any]:
    """Send a pre_checkout_query with chosen fields, as a tampered client could; return the bot's answer."""
    query_id = str(sim.next_seq() * 1_000_003 + user.id)
    future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
    sim.payments.pending[query_id] = future
    sim.emit("pre_checkout_query", {"id": query_id, "from": user.record.to_dict(), "currency": currency,
                                    "total_amount": amount, "invoice_payload": payload})
    try:
        return await asyncio.wait_for(future, 5)
    finally:
        sim.payments.pending.pop(query_id, None)


async def record_and_reward(
    db: Database, clock: Clock, scoring: Scoring, secret: bytes | str, info: PaymentInfo,
    settings: Settings | None = None,
) -> PaymentOutcome:
    """A successful_payment as the handler takes it, minus the sends: record it, then give its rewards."""
    outcome = await do_record_payment(db, clock, secret, info)
    if outcome.rewards_due and outcome.payment is not None:
        await do_reward_payment(db, clock, scoring, settings, outcome.payment)
    return outcome
