"""Paid content end to end: publish, catalog, buy with Stars, deliver once, refund, and no leaks."""

from __future__ import annotations

import pytest

import handlers.payments
from bot.runner import BotRunner
from jobs.payments import DELIVERY_JOB
from tests.content.flows import card, delivered, invoice_for, publish
from tests.fixtures import run_job, stored


pytestmark = pytest.mark.usefixtures("payload_secret")  # Stars buying on (tests/fixtures.py)


@pytest.fixture
async def shop(sim, group, carol, alice, bob):
    """Alice and Bob started the bot and joined; Alice has Stars."""
    for user in (alice, bob):
        await user.start()
        await user.expect()
        await user.join(group)
    alice.stars = 500
    return group


async def test_buy_pay_deliver_points_mycontent(sim, runner: BotRunner, shop, carol, alice) -> None:
    item_id = await publish(carol, shop, "SECRET-ASYNC the event loop, explained", "50 | Async guide | python, async")
    # The content itself never stays in the group.
    assert not [m for m in sim.messages(shop) if "SECRET-ASYNC" in m.content and not m.deleted]
    invoice = await invoice_for(alice, item_id)
    assert invoice.extra["invoice"]["currency"] == "XTR" and invoice.extra["invoice"]["total_amount"] == 50
    result = await alice.pay(invoice)
    assert result.ok, result.error_message
    content = await alice.expect(contains="SECRET-ASYNC")
    await alice.expect(contains="Payment of ⭐ 50 received")
    assert [b["text"] for b in content.buttons] == ["1⭐", "2⭐", "3⭐", "4⭐", "5⭐"]
    assert alice.stars == 450
    await alice.press(content, "5⭐")
    async with stored(runner.settings.storage.url) as repos:
        assert await repos.content.rating_stats([item_id]) == {item_id: (5.0, 1)}
        assert await repos.ledger.with_reason(shop.id, "purchase") == [(alice.id, 5)]
    await alice.send(None, "/mycontent")
    mine = await alice.expect(contains="Your content")
    assert "Async guide" in mine.text
    await alice.press(mine, "Async guide")
    await alice.expect(contains="SECRET-ASYNC")
    assert len(delivered(sim, alice, "SECRET-ASYNC")) == 2  # bought once, opened once more
    await alice.send(None, "/me")
    assert "Content you own: 1" in (await alice.expect(contains="Content you own")).text


async def test_duplicated_successful_payment_delivers_once(sim, runner: BotRunner, shop, carol, alice) -> None:
    item_id = await publish(carol, shop, "SECRET-DUP body", "20 | Dup guide | x")
    result = await alice.pay(await invoice_for(alice, item_id))
    await alice.expect(contains="SECRET-DUP")
    paid_update = max(u for u, e in sim.updates.all.items() if e.kind == "message"
                      and "successful_payment" in e.payload)
    copies = sim.duplicate_update(paid_update, times=5)
    await runner.wait_processed(max(copies))
    assert result.ok
    async with stored(runner.settings.storage.url) as repos:
        assert len(await repos.payments.list_all()) == 1
        assert [e.delivery for e in await repos.entitlements.list_all()] == ["delivered"]
    assert len(delivered(sim, alice, "SECRET-DUP")) == 1
    assert alice.stars == 480


async def test_rewards_a_failure_left_due_follow_with_the_delivery_job(
    sim, runner: BotRunner, shop, carol, alice, monkeypatch
) -> None:
    item_id = await publish(carol, shop, "SECRET-LATE body", "20 | Late guide | x")

    async def lost(*args: object) -> bool:
        raise ConnectionError("the database went away after the payment's commit")

    monkeypatch.setattr(handlers.payments, "do_reward_payment", lost)
    assert (await alice.pay(await invoice_for(alice, item_id))).ok
    await alice.expect(contains="SECRET-LATE")  # the content does not wait for the rewards
    await alice.expect(contains="Payment of ⭐ 20 received")
    monkeypatch.undo()
    async with stored(runner.settings.storage.url) as repos:
        assert await repos.ledger.with_reason(shop.id, "purchase") == []
        assert [p.rewards_pending for p in await repos.payments.list_all()] == [True]
    await run_job(runner, DELIVERY_JOB)
    await run_job(runner, DELIVERY_JOB)
    async with stored(runner.settings.storage.url) as repos:
        assert await repos.ledger.with_reason(shop.id, "purchase") == [(alice.id, runner.settings.points.purchase)]
        assert "supporter" in await repos.badges.of(shop.id, alice.id)
        assert [p.rewards_pending for p in await repos.payments.list_all()] == [False]


async def test_refund_twice_revokes_once(sim, runner: BotRunner, shop, carol, alice) -> None:
    item_id = await publish(carol, shop, "SECRET-REFUND body", "30 | Refund guide | x")
    result = await alice.pay(await invoice_for(alice, item_id))
    content = await alice.expect(contains="SECRET-REFUND")
    await carol.send(shop, f"/refund {result.charge_id}")  # the outcome names the buyer: only in private
    await carol.expect(shop, contains="press Start")
    assert alice.stars == 470  # nothing was done
    await carol.start()
    await carol.expect()
    await carol.send(shop, f"/refund {result.charge_id}")
    await carol.expect(shop, contains="Sent to you in private")
    await carol.expect(contains="Refunded ⭐ 30")
    await alice.expect(contains="was refunded")
    await carol.send(None, f"/refund {result.charge_id}")  # in private too
    await carol.expect(contains="already refunded")
    assert alice.stars == 500
    refunds = [r for r in sim.requests if r["method"].lower() == "refundstarpayment"]
    assert len(refunds) == 1
    async with stored(runner.settings.storage.url) as repos:
        assert [e.status for e in await repos.entitlements.list_all()] == ["revoked"]
        assert [e.action for e in await repos.audit.list(shop.id)].count("payment.refund") == 1
    # The old rating buttons and /mycontent no longer open it.
    answer = await alice.press(content, "4⭐")
    assert answer.show_alert and "haven't bought" in (answer.text or "")
    mine_before = len(delivered(sim, alice, "SECRET-REFUND"))
    await alice.send(None, "/mycontent")
    assert "don't own any content" in (await alice.expect(contains="Your content")).text
    from bot.views.content_data import encode

    answer = await alice.press_data(content, encode("o", item_id))  # no such button on that message
    assert answer.show_alert and "no longer valid" in (answer.text or "")
    assert len(delivered(sim, alice, "SECRET-REFUND")) == mine_before


async def test_member_cannot_open_unowned_item(sim, runner: BotRunner, shop, carol, alice, bob) -> None:
    from bot.views.content_data import encode

    item_id = await publish(carol, shop, "SECRET-LOCKED body", "40 | Locked guide | x")
    message = await card(bob, item_id)  # the deep link shows a card with Buy, never the content
    assert message.button_texts == ["用 ⭐ 40 购买", "🎟 有优惠码？"]  # Bob's Telegram is in Chinese
    for data in (encode("o", item_id), encode("r", item_id, 5), f"ct:o:{item_id}:1", "ct:o:abc", "ct:zz:1"):
        answer = await bob.press_data(message, data)
        assert answer.show_alert, data
    await bob.start(f"item_{item_id}x")  # a malformed deep link gets the plain /start answer
    await bob.expect()
    assert not delivered(sim, bob, "SECRET-LOCKED")
    async with stored(runner.settings.storage.url) as repos:
        assert await repos.content.count_opens() == 0


async def test_catalog_in_group_and_private(sim, runner: BotRunner, shop, carol, alice) -> None:
    await publish(carol, shop, "SECRET-FREE body", "0 | Free intro | basics")
    paid = await publish(carol, shop, "SECRET-PAID body", "25 | Paid deep dive | advanced | points=100")
    await alice.send(shop, "/catalog")
    listing = await alice.expect(shop, contains="— catalog")
    assert "🔓 free" in listing.text and "⭐ 25" in listing.text and "🪙 100 points" in listing.text
    assert all(b.get("url", "").startswith("https://t.me/circle_bot?start=item_") for b in listing.buttons)
    await alice.send(None, "/catalog")
    private = await alice.expect(contains="— catalog")
    await alice.press(private, "Free intro")
    await alice.expect(contains="SECRET-FREE")
    await alice.press(private, "Paid deep dive")
    paid_card = await alice.expect(contains=f"#{paid}")
    assert {"Buy for ⭐ 25", "Unlock for 🪙 100 points"} <= set(paid_card.button_texts)
    answer = await alice.press(paid_card, "Unlock for")
    assert answer.show_alert and "Not enough points" in (answer.text or "")
    assert not delivered(sim, alice, "SECRET-PAID")
