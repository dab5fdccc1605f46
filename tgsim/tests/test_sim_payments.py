"""Telegram Stars: invoice rules, pre-checkout, successful payments, refunds, subscriptions."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import telegram
from telegram import LabeledPrice
from telegram.error import BadRequest

from tgsim import Simulator

PRICE = [LabeledPrice("Guide", 50)]


async def answer_next_query(tg: telegram.Bot, ok: bool, error: str | None = None) -> telegram.PreCheckoutQuery:
    while True:
        updates = await tg.get_updates(timeout=5, allowed_updates=["message", "pre_checkout_query"])
        for update in updates:
            await tg.get_updates(offset=update.update_id + 1, timeout=0)
            if update.pre_checkout_query:
                await update.pre_checkout_query.answer(ok=ok, error_message=error)
                return update.pre_checkout_query


async def test_invoice_validation(sim: Simulator, tg: telegram.Bot, alice) -> None:
    await alice.start()
    with pytest.raises(BadRequest, match="(?i)stars_invoice_invalid"):
        await tg.send_invoice(alice.id, "Guide", "A guide", "order:1", "XTR", PRICE + PRICE)
    with pytest.raises(BadRequest, match="(?i)payment_provider_invalid"):
        await tg.send_invoice(alice.id, "Guide", "A guide", "order:1", "XTR", PRICE, provider_token="tok")
    with pytest.raises(BadRequest, match="(?i)invoice_payload_invalid"):
        await tg.send_invoice(alice.id, "Guide", "A guide", "x" * 129, "XTR", PRICE)
    with pytest.raises(BadRequest, match="(?i)subscription_period_invalid"):
        await tg.create_invoice_link("Plan", "Monthly", "plan:1", "XTR", PRICE, subscription_period=86400)
    msg = await tg.send_invoice(alice.id, "Guide", "A guide", "order:1", "XTR", PRICE)
    assert msg.invoice.total_amount == 50 and msg.invoice.currency == "XTR"


async def test_pay_ok_and_refund_twice(sim: Simulator, tg: telegram.Bot, alice) -> None:
    await alice.start()
    await tg.send_invoice(alice.id, "Guide", "A guide", "order:7", "XTR", PRICE)
    invoice = await alice.expect()
    answering = asyncio.create_task(answer_next_query(tg, ok=True))
    result = await alice.pay(invoice)
    query = await answering
    assert query.invoice_payload == "order:7" and query.total_amount == 50 and query.from_user.id == alice.id
    assert result.ok and result.charge_id and alice.stars == 450
    updates = await tg.get_updates(timeout=5)
    payment = updates[-1].message.successful_payment
    assert payment.telegram_payment_charge_id == result.charge_id and payment.invoice_payload == "order:7"
    assert payment.is_recurring is None
    assert await tg.refund_star_payment(alice.id, result.charge_id)
    assert alice.stars == 500
    with pytest.raises(BadRequest, match="(?i)charge_already_refunded"):
        await tg.refund_star_payment(alice.id, result.charge_id)
    transactions = (await tg.get_star_transactions()).transactions
    assert [t.source is not None for t in transactions] == [True, False]
    assert "paid 50 XTR" in sim.transcript(alice)


async def test_pay_refused_insufficient_and_late(sim: Simulator, tg: telegram.Bot, alice, bob) -> None:
    await alice.start()
    await tg.send_invoice(alice.id, "Guide", "A guide", "order:8", "XTR", PRICE)
    invoice = await alice.expect()
    answering = asyncio.create_task(answer_next_query(tg, ok=False, error="Sold out"))
    result = await alice.pay(invoice)
    await answering
    assert not result.ok and result.error_message == "Sold out" and alice.stars == 500
    bob_result = await bob.pay(invoice)  # a forwarded/shared invoice: bob has no Stars
    assert not bob_result.ok and "not enough Stars" in (bob_result.error_message or "")
    late = await alice.pay(invoice)  # nobody answers within the (test) 2-second deadline
    assert not late.ok and "in time" in (late.error_message or "")
    query = [u for u in await tg.get_updates() if u.pre_checkout_query][-1].pre_checkout_query
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await query.answer(ok=True)


async def test_subscription_and_renewal(sim: Simulator, tg: telegram.Bot, alice) -> None:
    link = await tg.create_invoice_link("Members", "30 days", "plan:1", "XTR", [LabeledPrice("Month", 100)],
                                        subscription_period=2592000)
    assert link.startswith("https://t.me/$")
    answering = asyncio.create_task(answer_next_query(tg, ok=True))
    first = await alice.pay(link)
    await answering
    assert first.ok and alice.stars == 400
    paid: Any = first.message.extra["successful_payment"]
    assert paid["is_recurring"] and paid["is_first_recurring"]
    renewal = await sim.renew_subscription(first.charge_id)
    renewed = renewal.message.extra["successful_payment"]
    assert renewed["is_recurring"] and "is_first_recurring" not in renewed
    assert renewed["subscription_expiration_date"] == paid["subscription_expiration_date"] + 2592000
    assert alice.stars == 300 and renewal.charge_id != first.charge_id
    updates = await tg.get_updates()
    payments = [u.message.successful_payment for u in updates if u.message and u.message.successful_payment]
    assert [p.is_first_recurring for p in payments] == [True, None]
