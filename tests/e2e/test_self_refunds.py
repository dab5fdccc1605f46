"""The self-service refund window end to end: /mycontent's refund button, its limits, and memberships."""

from __future__ import annotations

import pytest

from tests.content.flows import delivered, invoice_for, publish
from tests.fixtures import stored


pytestmark = pytest.mark.usefixtures("payload_secret")  # Stars buying on (tests/fixtures.py)


@pytest.fixture
async def shop(sim, group, carol, alice):
    await carol.start()
    await carol.expect()
    await alice.start()
    await alice.expect()
    await alice.join(group)
    alice.stars = 500
    return group


async def _buy(alice, item_id: int, marker: str) -> None:
    assert (await alice.pay(await invoice_for(alice, item_id))).ok
    await alice.expect(contains=marker)


async def _my_content(alice):
    await alice.send(None, "/mycontent")
    return await alice.expect(contains="Your content")


def _refund_buttons(message) -> list[str]:
    return [text for text in message.button_texts if text.startswith("↩️")]


async def test_refund_within_the_window_revokes_once_and_tells_the_creator(sim, runner, shop, carol, alice) -> None:
    item_id = await publish(carol, shop, "SECRET-SR body", "50 | Refundable guide | x")
    await _buy(alice, item_id, "SECRET-SR")
    assert _refund_buttons(await _my_content(alice)) == []  # the window is off by default
    await carol.send(shop, "/set refund_window_hours 72")
    await carol.expect(shop, contains="Saved")
    mine = await _my_content(alice)
    assert _refund_buttons(mine) == ["↩️ Refund #1 Refundable guide"]
    await alice.press(mine, "↩️")
    confirm = await alice.expect(contains="Refund ⭐ 50")
    data = confirm.buttons[0]["callback_data"]
    answer = await alice.press(confirm, "Yes, refund it")
    assert "Refunded ⭐ 50" in (answer.text or "")
    await alice.expect(contains="refund of ⭐ 50 went through")
    assert "refunded Refundable guide" in (await carol.expect(contains="within the refund window")).text
    assert alice.stars == 500
    # Access ended: Open on the old list is refused, and the item is buyable again.
    assert (await alice.press(mine, "Refundable guide")).show_alert
    assert len(delivered(sim, alice, "SECRET-SR")) == 1
    # Pressed again, or bought again and asked again: once per item.
    assert (await alice.press_data(confirm, data)).show_alert
    await _buy(alice, item_id, "SECRET-SR")
    assert _refund_buttons(await _my_content(alice)) == []
    assert (await alice.press_data(confirm, data)).show_alert
    refunds = [r for r in sim.requests if r["method"].lower() == "refundstarpayment"]
    assert len(refunds) == 1
    async with stored(runner.settings.storage.url) as repos:
        payments = await repos.payments.list_all()
        audit = [(e.action, e.actor_id) for e in await repos.audit.list(shop.id)]
    assert [(p.status, p.refund_reason) for p in payments] == [("refunded", "self"), ("paid", None)]
    assert ("payment.refund", alice.id) in audit


async def test_the_window_closes_and_the_monthly_limit_holds(sim, runner, shop, carol, alice) -> None:
    await carol.send(shop, "/set refund_window_hours 24")
    await carol.expect(shop, contains="Saved")
    await carol.send(shop, "/set refunds_per_month 1")
    await carol.expect(shop, contains="Saved")
    first = await publish(carol, shop, "SECRET-W1 body", "10 | One | x")
    second = await publish(carol, shop, "SECRET-W2 body", "20 | Two | x")
    third = await publish(carol, shop, "SECRET-W3 body", "30 | Three | x")
    await _buy(alice, first, "SECRET-W1")
    confirm_first = await _confirm(alice, "#1")
    sim.clock.advance(hours=25)
    answer = await alice.press(confirm_first, "Yes, refund it")
    assert answer.show_alert and "has closed" in (answer.text or "")
    assert _refund_buttons(await _my_content(alice)) == []
    await _buy(alice, second, "SECRET-W2")
    await _buy(alice, third, "SECRET-W3")
    confirm_third = await _confirm(alice, "#3")
    await alice.press(await _confirm(alice, "#2"), "Yes, refund it")
    await alice.expect(contains="went through")
    answer = await alice.press(confirm_third, "Yes, refund it")
    assert answer.show_alert and "this month's refunds" in (answer.text or "")
    assert _refund_buttons(await _my_content(alice)) == []
    sim.clock.advance(days=31)  # a new month, but the third purchase's window has long closed
    assert _refund_buttons(await _my_content(alice)) == []
    assert alice.stars == 500 - 10 - 30


async def _confirm(alice, label: str):
    mine = await _my_content(alice)
    await alice.press(mine, f"↩️ Refund {label}")
    return await alice.expect(contains="Refund ⭐")


async def test_a_membership_refunds_its_latest_period_only(sim, runner, shop, carol, alice) -> None:
    await carol.send(shop, "/set refund_window_hours 72")
    await carol.expect(shop, contains="Saved")
    await carol.send(shop, "/plan add Gold 100")
    await carol.expect(shop, contains="Plan #1")
    await alice.send(None, "/subscribe")
    await alice.press(await alice.expect(contains="Memberships"), "Gold")
    first = await alice.pay((await alice.expect(contains="subscribe to")).buttons[0]["url"])
    assert first.ok
    await alice.expect(contains="active until")
    confirm_first = await _confirm(alice, "this period")
    sim.clock.advance(days=1)  # an early renewal: both periods are inside the window
    renewal = await sim.renew_subscription(first.charge_id)
    await alice.expect(contains="active until")
    answer = await alice.press(confirm_first, "Yes, refund it")
    assert answer.show_alert and "latest period" in (answer.text or "")
    await alice.press(await _confirm(alice, "this period"), "Yes, refund it")
    await alice.expect(contains="went through")
    assert "latest period of their membership" in (await carol.expect(contains="refund window")).text
    expiry_1 = first.message.extra["successful_payment"]["subscription_expiration_date"]
    async with stored(runner.settings.storage.url) as repos:
        (membership,) = await repos.plans.memberships_of(alice.id)
        statuses = {p.charge_id: p.status for p in await repos.payments.list_all()}
    assert int(membership.expires_at.timestamp()) == expiry_1
    assert statuses == {first.charge_id: "paid", renewal.charge_id: "refunded"}
