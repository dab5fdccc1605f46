"""Services: orders, pre-checkout verdicts, recording payments once, refunds, memberships, points."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.errors import DomainError, InsufficientPoints
from bot.payload import sign_order
from bot.services.content import ContentSource, PublishSpec, do_open_item, do_publish_item, do_set_price
from bot.services.content import Locked, do_unpublish_item
from bot.services.payments import PaymentInfo, check_pre_checkout, do_create_item_order, do_create_plan_order
from tests.content.flows import record_and_reward
from bot.services.plans import do_add_plan, has_active_membership
from bot.services.points import Grant, do_award_points
from bot.services.refunds import RefundEnv, RefundFailed, do_refund, do_settle_refunds
from bot.services.unlocks import do_buy_with_points

from conftest import SECRET, Shop  # tests/content is on sys.path (rootdir insertion)


async def _item(shop: Shop, stars: int | None = 50, points: int | None = None, members: bool = False) -> int:
    spec = PublishSpec("Async guide", ("python",), price_stars=stars, price_points=points, members_only=members)
    source = ContentSource("text", "<b>secret</b> notes", None)
    item = await do_publish_item(shop.db, shop.clock, shop.group, shop.carol.id, spec, source)
    return item.id


async def _pay(shop: Shop, payload: str, charge: str, amount: int, user=None, expires: dt.datetime | None = None):
    info = PaymentInfo(user or shop.alice, charge, None, payload, "XTR", amount, expires, expires is not None)
    return await record_and_reward(shop.db, shop.clock, shop.scoring, SECRET, info)


async def _count(shop: Shop, sql: str) -> int:
    async with shop.db.engine.connect() as conn:
        return (await conn.exec_driver_sql(sql)).scalar_one()


async def test_concurrent_duplicate_payments_record_one_payment_one_entitlement(shop: Shop) -> None:
    item_id = await _item(shop)
    order, _ = await do_create_item_order(shop.db, shop.clock, shop.config, SECRET, shop.levels, item_id, shop.alice)
    payload = sign_order(order.id, SECRET)
    outcomes = await asyncio.gather(*(_pay(shop, payload, "charge-1", 50) for _ in range(5)))
    assert sum(not o.duplicate for o in outcomes) == 1
    assert [o.entitlement_id for o in outcomes if not o.duplicate][0] is not None
    assert await _count(shop, "SELECT COUNT(*) FROM star_payments") == 1
    assert await _count(shop, "SELECT COUNT(*) FROM entitlements") == 1
    assert await _count(shop, "SELECT COUNT(*) FROM points_ledger WHERE reason = 'purchase'") == 1
    assert await _count(shop, "SELECT COUNT(*) FROM badges WHERE badge = 'supporter'") == 1


async def test_pre_checkout_checks_every_rule(shop: Shop) -> None:
    item_id = await _item(shop)
    order, _ = await do_create_item_order(shop.db, shop.clock, shop.config, SECRET, shop.levels, item_id, shop.alice)
    payload = sign_order(order.id, SECRET)

    async def verdict(payload: str = payload, user: int = shop.alice.id, currency: str = "XTR", amount: int = 50):
        refusal = await check_pre_checkout(shop.db, shop.clock, SECRET, shop.levels, payload, user, currency, amount)
        return refusal.key if refusal else None

    assert await verdict() is None
    assert await verdict(payload=payload[:-1] + ("A" if payload[-1] != "A" else "B")) == "pay.refuse.invalid"
    assert await verdict(payload=sign_order(order.id, b"forged")) == "pay.refuse.invalid"
    assert await verdict(user=shop.bob.id) == "pay.refuse.not_yours"
    assert await verdict(currency="USD") == "pay.refuse.amount"
    assert await verdict(amount=49) == "pay.refuse.amount"
    await do_set_price(shop.db, shop.clock, item_id, shop.carol.id, stars=60)
    assert await verdict() == "pay.refuse.price_changed"
    await do_set_price(shop.db, shop.clock, item_id, shop.carol.id, stars=50)
    shop.clock.advance(minutes=shop.config.order_ttl_minutes + 1)
    assert await verdict() == "pay.refuse.expired"


async def test_pre_checkout_refuses_unpublished_and_owned(shop: Shop) -> None:
    item_id = await _item(shop)
    first, _ = await do_create_item_order(shop.db, shop.clock, shop.config, SECRET, shop.levels, item_id, shop.alice)
    second, _ = await do_create_item_order(shop.db, shop.clock, shop.config, SECRET, shop.levels, item_id, shop.alice)
    await _pay(shop, sign_order(first.id, SECRET), "c1", 50)
    refusal = await check_pre_checkout(
        shop.db, shop.clock, SECRET, shop.levels, sign_order(second.id, SECRET), shop.alice.id, "XTR", 50
    )
    assert refusal is not None and refusal.key == "pay.refuse.owned"
    bobs, _ = await do_create_item_order(shop.db, shop.clock, shop.config, SECRET, shop.levels, item_id, shop.bob)
    await do_unpublish_item(shop.db, shop.clock, item_id, shop.carol.id)
    refusal = await check_pre_checkout(
        shop.db, shop.clock, SECRET, shop.levels, sign_order(bobs.id, SECRET), shop.bob.id, "XTR", 50
    )
    assert refusal is not None and refusal.key == "pay.refuse.unavailable"


async def test_second_payment_for_an_owned_item_is_refunded_automatically(shop: Shop) -> None:
    item_id = await _item(shop)
    orders = [
        (await do_create_item_order(shop.db, shop.clock, shop.config, SECRET, shop.levels, item_id, shop.alice))[0]
        for _ in range(2)
    ]
    await _pay(shop, sign_order(orders[0].id, SECRET), "c1", 50)
    outcome = await _pay(shop, sign_order(orders[1].id, SECRET), "c2", 50)
    assert outcome.refund_due and outcome.entitlement_id is None
    calls: list[str] = []

    async def refund(user_id: int, charge_id: str) -> None:
        calls.append(charge_id)

    env = RefundEnv(shop.db, shop.clock, shop.scoring, refund)
    assert await do_settle_refunds(env) == 1
    assert await do_settle_refunds(env) == 0
    assert calls == ["c2"]
    assert await _count(shop, "SELECT COUNT(*) FROM entitlements WHERE status = 'active'") == 1


async def test_refund_is_idempotent_revokes_and_takes_back_points(shop: Shop) -> None:
    item_id = await _item(shop)
    order, _ = await do_create_item_order(shop.db, shop.clock, shop.config, SECRET, shop.levels, item_id, shop.alice)
    await _pay(shop, sign_order(order.id, SECRET), "c1", 50)
    refunded: list[str] = []

    async def refund(user_id: int, charge_id: str) -> None:
        if charge_id in refunded:
            return  # Telegram said CHARGE_ALREADY_REFUNDED: counts as done
        refunded.append(charge_id)

    env = RefundEnv(shop.db, shop.clock, shop.scoring, refund)
    first = await do_refund(env, shop.group, shop.carol.id, "c1")
    second = await do_refund(env, shop.group, shop.carol.id, "c1")
    assert not first.already and second.already and refunded == ["c1"]
    with pytest.raises(Locked):
        await do_open_item(shop.db, shop.clock, shop.levels, item_id, shop.alice)
    assert await _count(shop, "SELECT COUNT(*) FROM admin_audit WHERE action = 'payment.refund'") == 1
    assert await _count(shop, "SELECT SUM(delta) FROM points_ledger WHERE user_id = 1001") == 0


async def test_failed_refund_changes_nothing_and_can_be_retried(shop: Shop) -> None:
    item_id = await _item(shop)
    order, _ = await do_create_item_order(shop.db, shop.clock, shop.config, SECRET, shop.levels, item_id, shop.alice)
    await _pay(shop, sign_order(order.id, SECRET), "c1", 50)

    async def broken(user_id: int, charge_id: str) -> None:
        raise RefundFailed(error="Bad Gateway")

    with pytest.raises(RefundFailed):
        await do_refund(RefundEnv(shop.db, shop.clock, shop.scoring, broken), shop.group, shop.carol.id, "c1")
    await do_open_item(shop.db, shop.clock, shop.levels, item_id, shop.alice)
    assert await _count(shop, "SELECT status FROM star_payments") == "paid"


async def test_subscription_expiry_never_extends_twice(shop: Shop) -> None:
    plan = await do_add_plan(shop.db, shop.clock, shop.group, shop.carol.id, "Gold", 100)
    order, _, _ = await do_create_plan_order(shop.db, shop.clock, shop.config, SECRET, plan.id, shop.alice)
    payload = sign_order(order.id, SECRET)
    now = shop.clock.now()
    first, second = now + dt.timedelta(days=30), now + dt.timedelta(days=60)
    await _pay(shop, payload, "s1", 100, expires=first)
    await _pay(shop, payload, "s2", 100, expires=second)
    await _pay(shop, payload, "s2", 100, expires=second)  # duplicated renewal
    await _pay(shop, payload, "s1", 100, expires=first)  # the first payment again
    await _pay(shop, payload, "s0", 100, expires=first - dt.timedelta(days=1))  # an older renewal, late
    async with shop.db.read() as repos:
        membership = await repos.plans.membership(shop.group, shop.alice.id)
    assert membership is not None and membership.expires_at == second
    assert await has_active_membership(shop.db, shop.group, shop.alice.id, second - dt.timedelta(seconds=1))
    assert not await has_active_membership(shop.db, shop.group, shop.alice.id, second)


async def test_members_only_item_opens_while_the_membership_runs(shop: Shop) -> None:
    item_id = await _item(shop, stars=None, members=True)
    with pytest.raises(Locked):
        await do_open_item(shop.db, shop.clock, shop.levels, item_id, shop.alice)
    plan = await do_add_plan(shop.db, shop.clock, shop.group, shop.carol.id, "Gold", 100)
    order, _, _ = await do_create_plan_order(shop.db, shop.clock, shop.config, SECRET, plan.id, shop.alice)
    await _pay(shop, sign_order(order.id, SECRET), "s1", 100, expires=shop.clock.now() + dt.timedelta(days=30))
    await do_open_item(shop.db, shop.clock, shop.levels, item_id, shop.alice)
    with pytest.raises(DomainError, match="subscribe.active"):
        await do_create_plan_order(shop.db, shop.clock, shop.config, SECRET, plan.id, shop.alice)
    shop.clock.advance(days=31)
    with pytest.raises(Locked):
        await do_open_item(shop.db, shop.clock, shop.levels, item_id, shop.alice)


async def test_concurrent_points_purchases_with_balance_for_one(shop: Shop) -> None:
    first, second = await _item(shop, stars=None, points=30), await _item(shop, stars=None, points=30)
    await do_award_points(shop.db, shop.scoring, shop.clock, Grant(shop.group, shop.alice.id, 40, "test", "seed"))
    results = await asyncio.gather(
        *(do_buy_with_points(shop.db, shop.clock, shop.scoring, shop.levels, i, shop.alice) for i in (first, second)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert sum(isinstance(r, InsufficientPoints) for r in results) == 1
    async with shop.db.read() as repos:
        member = await repos.points.member(shop.group, shop.alice.id)
    assert member is not None and member.balance == 10
    assert await _count(shop, "SELECT COUNT(*) FROM entitlements") == 1


async def test_same_item_bought_twice_with_points_at_once(shop: Shop) -> None:
    item_id = await _item(shop, stars=None, points=10)
    await do_award_points(shop.db, shop.scoring, shop.clock, Grant(shop.group, shop.alice.id, 100, "test", "seed"))
    results = await asyncio.gather(
        *(do_buy_with_points(shop.db, shop.clock, shop.scoring, shop.levels, item_id, shop.alice) for _ in range(3)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    async with shop.db.read() as repos:
        member = await repos.points.member(shop.group, shop.alice.id)
    assert member is not None and member.balance == 90


async def test_free_from_level_opens_once_the_level_is_reached(shop: Shop) -> None:
    spec = PublishSpec("Level notes", (), min_level=3)
    item = await do_publish_item(shop.db, shop.clock, shop.group, shop.carol.id, spec, ContentSource("text", "x", None))
    with pytest.raises(Locked):
        await do_open_item(shop.db, shop.clock, shop.levels, item.id, shop.alice)
    with pytest.raises(DomainError, match="buy.not_for_points"):
        await do_buy_with_points(shop.db, shop.clock, shop.scoring, shop.levels, item.id, shop.alice)
    await do_award_points(shop.db, shop.scoring, shop.clock, Grant(shop.group, shop.alice.id, 20, "test", "seed"))
    assert (await do_open_item(shop.db, shop.clock, shop.levels, item.id, shop.alice)).id == item.id
    with pytest.raises(DomainError, match="buy.already_open"):
        await do_create_item_order(shop.db, shop.clock, shop.config, SECRET, shop.levels, item.id, shop.alice)


async def test_no_secret_switches_stars_buying_off(shop: Shop) -> None:
    item_id = await _item(shop)
    with pytest.raises(DomainError, match="buy.payments_off"):
        await do_create_item_order(shop.db, shop.clock, shop.config, None, shop.levels, item_id, shop.alice)
    refusal = await check_pre_checkout(shop.db, shop.clock, None, shop.levels, sign_order(1, SECRET),
                                       shop.alice.id, "XTR", 50)
    assert refusal is not None and refusal.key == "pay.refuse.invalid"


async def test_purchase_count_for_the_profile(shop: Shop) -> None:
    from bot.services.content import get_purchase_count

    item_id = await _item(shop)
    order, _ = await do_create_item_order(shop.db, shop.clock, shop.config, SECRET, shop.levels, item_id, shop.alice)
    await _pay(shop, sign_order(order.id, SECRET), "c1", 50)
    assert await get_purchase_count(shop.db, shop.alice.id) == 1
    assert await get_purchase_count(shop.db, shop.alice.id, shop.group) == 1
    assert await get_purchase_count(shop.db, shop.bob.id) == 0


async def test_supporter_badge_is_private_and_goes_with_the_last_standing_purchase(shop: Shop) -> None:
    first, second = await _item(shop), await _item(shop)
    for item_id, charge in ((first, "s1"), (second, "s2")):
        order, _ = await do_create_item_order(shop.db, shop.clock, shop.config, SECRET, shop.levels, item_id, shop.alice)
        await _pay(shop, sign_order(order.id, SECRET), charge, 50)
    async with shop.db.read() as repos:
        assert "supporter" in await repos.badges.of(shop.group, shop.alice.id)
        group_notices = await repos.outbox.list_for_chat(shop.group)
    assert not [m for m in group_notices if m.kind == "points/badge"]  # the group never learns of a purchase

    async def refund(user_id: int, charge_id: str) -> None:
        return None

    env = RefundEnv(shop.db, shop.clock, shop.scoring, refund)
    await do_refund(env, shop.group, shop.carol.id, "s1")
    async with shop.db.read() as repos:
        assert "supporter" in await repos.badges.of(shop.group, shop.alice.id)  # s2 still stands
    await do_refund(env, shop.group, shop.carol.id, "s2")
    async with shop.db.read() as repos:
        assert "supporter" not in await repos.badges.of(shop.group, shop.alice.id)
