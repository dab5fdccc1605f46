"""Coupons end to end: /coupon, "Have a code?" on cards and plans, deep links, pre-checkout, counting once."""

from __future__ import annotations

import pytest

from tests.content.flows import card, delivered, publish
from tests.fixtures import stored


pytestmark = pytest.mark.usefixtures("payload_secret")  # Stars buying on (tests/fixtures.py)


async def _apply(user, item_id: int, code: str):
    """Open the card, press "Have a code?", send the code; return the bot's answer."""
    message = await card(user, item_id)
    await user.press(message, "🎟")
    await user.expect(contains="🎟")
    await user.send(None, code)
    return await user.expect()


async def _invoice_with(user, item_id: int, code: str):
    offer = await _apply(user, item_id, code)
    await user.press(offer, "⭐")
    invoice = await user.expect()
    assert "invoice" in invoice.extra, invoice.content
    return invoice


async def _coupon_rows(runner) -> tuple[list[tuple[str, int]], int]:
    async with stored(runner.settings.storage.url) as repos:
        conn = repos.conn
        coupons = (await conn.exec_driver_sql("SELECT code, uses FROM coupons ORDER BY id")).all()
        used = (await conn.exec_driver_sql("SELECT COUNT(*) FROM coupon_redemptions WHERE status = 'used'")).scalar()
    return [(c, u) for c, u in coupons], int(used or 0)


async def test_code_from_the_card_discounts_the_invoice_and_counts_once(sim, runner, shop, carol, alice) -> None:
    item_id = await publish(carol, shop, "SECRET-CP body", "50 | Coupon guide | x")
    other = await publish(carol, shop, "SECRET-CP2 body", "30 | Second guide | x")
    await carol.send(shop, "/coupon add save20 20% uses=5")
    assert "SAVE20" in (await carol.expect(shop, contains="Coupon added")).text
    offer = await _apply(alice, item_id, "save20")
    assert "⭐ 40 instead of ⭐ 50" in offer.text
    await alice.press(offer, "Pay ⭐ 40")
    invoice = await alice.expect()
    assert invoice.extra["invoice"]["total_amount"] == 40
    result = await alice.pay(invoice)
    assert result.ok, result.error_message
    await alice.expect(contains="SECRET-CP")
    paid_update = max(u for u, e in sim.updates.all.items()
                      if e.kind == "message" and "successful_payment" in e.payload)
    copies = sim.duplicate_update(paid_update, times=3)
    await runner.wait_processed(max(copies))
    assert await _coupon_rows(runner) == ([("SAVE20", 1)], 1)
    assert len(delivered(sim, alice, "SECRET-CP body")) == 1 and alice.stars == 460
    # Once per member, whatever the item.
    again = await _apply(alice, other, "SAVE20")
    assert "already used the code SAVE20" in again.text
    await carol.send(shop, "/coupon list")
    assert "used 1 of 5" in (await carol.expect(shop, contains="SAVE20")).text
    await carol.send(shop, "/coupon del SAVE20")
    await carol.expect(shop, contains="deleted")
    async with stored(runner.settings.storage.url) as repos:
        actions = [e.action for e in await repos.audit.list(shop.id)]
    assert actions.count("coupon.add") == 1 and actions.count("coupon.delete") == 1


async def _used_up(sim, runner, carol, alice, bob, shop, item_id):
    await carol.send(shop, "/coupon add ONCE 10 uses=1")
    await carol.expect(shop, contains="Coupon added")
    mine = await _invoice_with(alice, item_id, "ONCE")
    theirs = await _invoice_with(bob, item_id, "ONCE")
    assert (await bob.pay(theirs)).ok
    await runner.wait_processed(sim.last_update_id)
    return await alice.pay(mine)


async def _past_its_day(sim, runner, carol, alice, bob, shop, item_id):
    now = runner.app.bot_data.clock.now()
    late = now.replace(hour=23, minute=30)
    sim.clock.advance(seconds=(late - now).total_seconds())
    await carol.send(shop, f"/coupon add TODAY 20% until={late.date().isoformat()}")
    await carol.expect(shop, contains="Coupon added")
    invoice = await _invoice_with(alice, item_id, "TODAY")
    sim.clock.advance(minutes=40)  # past midnight, the order itself still open
    return await alice.pay(invoice)


async def _withdrawn(sim, runner, carol, alice, bob, shop, item_id):
    await carol.send(shop, "/coupon add GONE 50%")
    await carol.expect(shop, contains="Coupon added")
    invoice = await _invoice_with(alice, item_id, "GONE")
    await carol.send(shop, "/coupon del GONE")
    await carol.expect(shop, contains="deleted")
    return await alice.pay(invoice)


@pytest.mark.parametrize(
    ("case", "reason"),
    [(_used_up, "has been used up"), (_past_its_day, "has expired"), (_withdrawn, "has been withdrawn")],
)
async def test_a_coupon_no_longer_valid_is_refused_at_pre_checkout(sim, runner, shop, carol, alice, bob, case,
                                                                    reason) -> None:
    item_id = await publish(carol, shop, "SECRET-PCC body", "50 | Checkout guide | x")
    result = await case(sim, runner, carol, alice, bob, shop, item_id)
    assert not result.ok and reason in (result.error_message or ""), result.error_message
    assert not delivered(sim, alice, "SECRET-PCC")
    async with stored(runner.settings.storage.url) as repos:
        assert [p.user_id for p in await repos.payments.list_all()] == ([bob.id] if case is _used_up else [])


async def test_a_forged_or_foreign_coupon_changes_nothing(sim, runner, shop, carol, alice) -> None:
    first = await publish(carol, shop, "SECRET-F1 body", "50 | First guide | x")
    second = await publish(carol, shop, "SECRET-F2 body", "30 | Second guide | x")
    await carol.send(shop, f"/coupon add FIRSTONLY 50% item={first}")
    await carol.expect(shop, contains="Coupon added")
    await alice.start(f"item_{second}_FIRSTONLY")
    await alice.expect(contains="is for something else")
    plain = await alice.expect(contains=f"#{second}")
    assert "Buy for ⭐ 30" in plain.button_texts
    await alice.start(f"item_{first}_NOSUCHCODE")
    await alice.expect(contains="doesn't exist here")
    await alice.expect(contains=f"#{first}")
    # A genuine offer, then a pay button altered to another item: refused, no order made.
    await alice.start(f"item_{first}_firstonly")
    offer = await alice.expect(contains="⭐ 25 instead of ⭐ 50")
    forged = offer.buttons[0]["callback_data"].replace(f":{first}:", f":{second}:")
    assert (await alice.press_data(offer, forged)).show_alert
    # The code typed for the other item is refused as well.
    assert "is for something else" in (await _apply(alice, second, "FIRSTONLY")).text
    async with stored(runner.settings.storage.url) as repos:
        pending = (await repos.conn.exec_driver_sql("SELECT COUNT(*) FROM coupon_redemptions")).scalar()
        amounts = (await repos.conn.exec_driver_sql("SELECT amount FROM orders")).scalars().all()
    assert pending == 0 and list(amounts) == []
    assert alice.stars == 500


async def test_bad_coupon_commands_get_short_answers(sim, runner, shop, carol, alice) -> None:
    await alice.send(shop, "/coupon add X 10%")
    await alice.expect(shop, contains="Only the community's admins")
    for command, answer in (
        ("/coupon add", "Usage: /coupon add"),
        ("/coupon add X 10%", "3 to 32 letters"),
        ("/coupon add SPRING 0%", "is not a discount"),
        ("/coupon add SPRING 10 uses=0", "I don't understand"),
        ("/coupon add SPRING 10 until=2020-01-01", "already over"),
        ("/coupon add SPRING 10 item=99", "Item #99"),
        ("/coupon add SPRING 10 item=1 plan=1", "not both"),
        ("/coupon del NOPE", "doesn't exist"),
        ("/coupon list", "No coupons yet"),
    ):
        await carol.send(shop, command)
        await carol.expect(shop, contains=answer)
    await carol.send(shop, "/coupon add SPRING 10")
    await carol.expect(shop, contains="Coupon added")
    await carol.send(shop, "/coupon add spring 20%")
    await carol.expect(shop, contains="already a coupon SPRING")


async def test_a_plan_coupon_sets_the_subscription_price_and_counts_once(sim, runner, shop, carol, alice) -> None:
    await carol.send(shop, "/plan add Gold 100")
    await carol.expect(shop, contains="Plan #1")
    await carol.send(shop, "/coupon add GOLD30 30 plan=1")
    await carol.expect(shop, contains="Coupon added")
    await alice.send(None, "/subscribe")
    plans = await alice.expect(contains="Memberships")
    await alice.press(plans, "🎟")
    await alice.expect(contains="Send me your code")
    await alice.send(None, "gold30")
    offer = await alice.expect(contains="⭐ 70 per 30 days instead of ⭐ 100")
    await alice.press(offer, "Pay ⭐ 70")
    link = (await alice.expect(contains="subscribe to")).buttons[0]["url"]
    first = await alice.pay(link)
    assert first.ok, first.error_message
    await alice.expect(contains="active until")
    renewal = await sim.renew_subscription(first.charge_id)
    assert renewal.ok and renewal.message.extra["successful_payment"]["total_amount"] == 70
    await alice.expect(contains="active until")
    await runner.wait_processed(sim.last_update_id)
    assert await _coupon_rows(runner) == ([("GOLD30", 1)], 1)
    assert alice.stars == 500 - 140
