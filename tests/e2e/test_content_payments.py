"""Stars checkout end to end: every pre-checkout refusal, subscriptions, points purchases, admin views."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest

from bot.services.plans import has_active_membership
from bot.services.points import Grant, do_award_points
from tests.content.flows import card, delivered, invoice_for, pre_checkout, publish
from tests.fixtures import stored
from tgsim.payments import complete_payment, resolve_invoice


pytestmark = pytest.mark.usefixtures("payload_secret")  # Stars buying on (tests/fixtures.py)




async def _altered(sim, alice, bob, carol, group, invoice):
    payload = invoice.meta["invoice"].payload
    return await pre_checkout(sim, alice, payload[:-2] + ("AA" if not payload.endswith("AA") else "BB"), "XTR", 50)


async def _someone_else(sim, alice, bob, carol, group, invoice):
    return await bob.pay(invoice)  # a forwarded invoice


async def _expired(sim, alice, bob, carol, group, invoice):
    sim.clock.advance(minutes=61)
    return await alice.pay(invoice)


async def _price_changed(sim, alice, bob, carol, group, invoice):
    await carol.send(group, "/price 1 60")
    await carol.expect(group, contains="⭐ 60")
    return await alice.pay(invoice)


async def _unpublished(sim, alice, bob, carol, group, invoice):
    await carol.send(group, "/unpublish 1")
    await carol.expect(group, contains="out of the catalog")
    return await alice.pay(invoice)


async def _owned(sim, alice, bob, carol, group, invoice):
    other = await invoice_for(alice, 1)
    assert (await alice.pay(other)).ok
    await alice.expect(contains="SECRET-PC")
    return await alice.pay(invoice)


async def _currency(sim, alice, bob, carol, group, invoice):
    return await pre_checkout(sim, alice, invoice.meta["invoice"].payload, "USD", 50)


async def _amount(sim, alice, bob, carol, group, invoice):
    return await pre_checkout(sim, alice, invoice.meta["invoice"].payload, "XTR", 5)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        (_altered, "isn't valid"),
        (_someone_else, "为别人开的"),  # Bob reads Chinese
        (_expired, "has expired"),
        (_price_changed, "price changed"),
        (_unpublished, "no longer on offer"),
        (_owned, "already own this item"),
        (_currency, "amount or currency"),
        (_amount, "amount or currency"),
    ],
)
async def test_pre_checkout_refuses_with_a_reason(sim, runner, shop, carol, alice, bob, case, reason) -> None:
    item_id = await publish(carol, shop, "SECRET-PC body", "50 | Checkout guide | x")
    assert item_id == 1
    invoice = await invoice_for(alice, item_id)
    started = time.perf_counter()
    result = await case(sim, alice, bob, carol, shop, invoice)
    assert time.perf_counter() - started < 3  # answered far inside Telegram's 10 seconds
    answer = result if isinstance(result, dict) else {"ok": result.ok, "error_message": result.error_message}
    assert not answer["ok"] and reason in (answer["error_message"] or ""), answer
    expected_payments = 1 if case is _owned else 0
    async with stored(runner.settings.storage.url) as repos:
        assert len(await repos.payments.list_all()) == expected_payments
    assert len(delivered(sim, alice, "SECRET-PC")) == expected_payments


async def test_subscription_first_renewal_duplicate_and_late_renewal(sim, runner, shop, carol, alice) -> None:
    await carol.send(shop, "/plan add Gold 100")
    await carol.expect(shop, contains="Plan #1")
    item_id = await publish(carol, shop, "SECRET-MEMBERS body", "0 | Members talk | x | members")
    locked = await card(alice, item_id)
    await alice.send(None, "/subscribe")
    plans = await alice.expect(contains="Memberships")
    await alice.press(plans, "Gold")
    offer = await alice.expect(contains="subscribe to")
    link = offer.buttons[0]["url"]
    first = await alice.pay(link)
    assert first.ok, first.error_message
    expiry_1 = first.message.extra["successful_payment"]["subscription_expiration_date"]
    day_1 = dt.datetime.fromtimestamp(expiry_1, dt.UTC).strftime("%Y-%m-%d")
    assert day_1 in (await alice.expect(contains="active until")).text
    # The card shown before the membership offers plans; the old card offers no Open button,
    # and pressing one anyway is refused. A fresh card opens it.
    assert (await alice.press_data(locked, f"ct:o:{item_id}")).show_alert
    fresh = await card(alice, item_id)
    answer = await alice.press(fresh, "Open")
    assert not answer.show_alert
    await alice.expect(contains="SECRET-MEMBERS")

    renewal = await sim.renew_subscription(first.charge_id)
    expiry_2 = renewal.message.extra["successful_payment"]["subscription_expiration_date"]
    assert expiry_2 == expiry_1 + 2592000
    await alice.expect(contains="active until")
    renewal_update = max(u for u, e in sim.updates.all.items() if e.kind == "message")
    copies = sim.duplicate_update(renewal_update, times=3)
    spec = resolve_invoice(sim, link)
    late = complete_payment(sim, alice.record, spec, expiry_1 - 3600, first=False)  # an older period, late
    await runner.wait_processed(max(copies))
    await runner.wait_processed(sim.last_update_id)
    db = runner.app.bot_data.db
    async with stored(runner.settings.storage.url) as repos:
        assert len(await repos.plans.memberships_of(alice.id)) == 1
        assert [p.kind for p in await repos.payments.list_all()].count("plan") == 3
    expected = dt.datetime.fromtimestamp(expiry_2, dt.UTC)
    assert await has_active_membership(db, shop.id, alice.id, expected - dt.timedelta(seconds=1))
    assert not await has_active_membership(db, shop.id, alice.id, expected)
    assert late.ok


async def test_two_concurrent_points_purchases_with_balance_for_one(sim, runner, shop, carol, alice) -> None:
    first = await publish(carol, shop, "SECRET-P1 body", "0 | Points one | x | points=30")
    second = await publish(carol, shop, "SECRET-P2 body", "0 | Points two | x | points=30")
    state = runner.app.bot_data
    await do_award_points(state.db, state.scoring, state.clock, Grant(shop.id, alice.id, 40, "test", "test:seed"))
    cards = [await card(alice, item_id) for item_id in (first, second)]
    answers = await asyncio.gather(*(alice.press(c, "Unlock for") for c in cards))
    assert sorted(bool(a.show_alert) for a in answers) == [False, True]
    assert any("Not enough points" in (a.text or "") for a in answers)
    await runner.wait_processed(sim.last_update_id)
    await sim.wait_for(lambda: delivered(sim, alice, "SECRET-P1") or delivered(sim, alice, "SECRET-P2"))
    assert len(delivered(sim, alice, "SECRET-P1")) + len(delivered(sim, alice, "SECRET-P2")) == 1
    async with stored(runner.settings.storage.url) as repos:
        member = await repos.points.member(shop.id, alice.id)
    assert member is not None and member.balance == 10


async def test_admin_views_revenue_plans_and_member_refusals(sim, runner, shop, carol, alice, bob) -> None:
    item_id = await publish(carol, shop, "SECRET-REV body", "50 | Revenue guide | x")
    result = await alice.pay(await invoice_for(alice, item_id))
    await alice.expect(contains="SECRET-REV")
    await carol.send(shop, "/revenue")  # buyers and charge ids go to her in private, once she started the bot
    assert "press Start" in (await carol.expect(shop, contains="private")).text
    await carol.start()
    await carol.expect()
    await carol.send(shop, "/revenue")
    await carol.expect(shop, contains="Sent to you in private")
    report = await carol.expect(contains="Revenue")
    assert "Last 30 days: ⭐ 50" in report.text and "Purchases: 1 · buyers: 1" in report.text
    assert "Revenue guide" in report.text and result.charge_id in report.text
    assert not any(result.charge_id in m.text or "Alice, ⭐" in m.text for m in sim.bot_messages(shop))
    for command in ("/revenue", f"/refund {result.charge_id}", "/plan add Gold 10", "/price 1 5", "/unpublish 1"):
        await bob.send(shop, command)
        await bob.expect(shop, contains="Only the community's admins")
    await carol.send(shop, "/plan add Gold 0")
    await carol.expect(shop, contains="1 to 10000 Stars")
    await carol.send(shop, "/plan list")
    await carol.expect(shop, contains="No plans yet")
    await carol.send(shop, "/refund nope")
    await carol.expect(shop, contains="No payment with that charge id")
    assert alice.stars == 450


async def test_gate_request_approves_only_with_an_active_plan(sim, runner, carol, alice) -> None:
    group = sim.group("Closed Circle", owner=carol, supergroup=True, join_by_request=True)
    await group.add_bot(by=carol, admin=True)
    await carol.expect(group, contains="Hello")
    await carol.send(group, "/set gate request")
    await carol.expect(group, contains="✅ Saved. gate")
    await carol.send(group, "/plan add Insiders 100")
    await carol.expect(group, contains="Plan #1")
    alice.stars = 300
    await alice.join(group)  # a join request
    onboarding = await alice.expect(contains="rules")
    await alice.press(onboarding, "I accept")  # no survey tags: onboarding is complete
    offer = await alice.expect(contains="for members with a plan")
    await runner.wait_processed(sim.last_update_id)
    assert not group.member(alice).active and sim.has_pending_join_request(alice.record)
    await alice.press(offer, "Insiders")
    link = (await alice.expect(contains="subscribe to")).buttons[0]["url"]
    assert (await alice.pay(link)).ok
    await sim.wait_for(lambda: group.member(alice).active)
    assert await has_active_membership(runner.app.bot_data.db, group.id, alice.id, sim.clock.now())
