"""A payment's rewards (points, Supporter badge, the inviter's reward) follow its delivery: once, never for a refund."""

from __future__ import annotations

import pytest

from bot.payload import sign_order
from bot.services.content import ContentSource, PublishSpec, do_publish_item
from bot.services.payments import PaymentInfo, PaymentOutcome, do_create_item_order, do_record_payment
from bot.services.payments import do_reward_payment, do_reward_pending
from bot.services.refunds import RefundEnv, RefundFailed, do_refund, finish_refund

from conftest import SECRET, Shop  # tests/content is on sys.path (rootdir insertion)


async def _recorded(shop: Shop, charge: str) -> PaymentOutcome:
    """Alice's payment for a new 50-Star item, recorded as the handler does before the delivery."""
    spec = PublishSpec(f"Guide {charge}", (), price_stars=50)
    item = await do_publish_item(shop.db, shop.clock, shop.group, shop.carol.id, spec,
                                 ContentSource("text", "notes", None))
    order, _ = await do_create_item_order(shop.db, shop.clock, shop.config, SECRET, shop.levels, item.id, shop.alice)
    info = PaymentInfo(shop.alice, charge, None, sign_order(order.id, SECRET), "XTR", 50)
    return await do_record_payment(shop.db, shop.clock, SECRET, info)


async def _purchase_points(shop: Shop) -> list[tuple[int, int]]:
    async with shop.db.read() as repos:
        return await repos.ledger.with_reason(shop.group, "purchase")


async def _supporter(shop: Shop) -> bool:
    async with shop.db.read() as repos:
        return "supporter" in await repos.badges.of(shop.group, shop.alice.id)


async def test_recording_grants_and_the_rewards_follow_once(shop: Shop) -> None:
    outcome = await _recorded(shop, "c1")
    assert outcome.rewards_due and outcome.delivery is not None and outcome.payment is not None
    # Committed with the grant: the content can go out; its rewards are due, not given yet.
    assert outcome.payment.rewards_pending
    assert await _purchase_points(shop) == [] and not await _supporter(shop)
    assert await do_reward_payment(shop.db, shop.clock, shop.scoring, None, outcome.payment)
    assert not await do_reward_payment(shop.db, shop.clock, shop.scoring, None, outcome.payment)
    assert await do_reward_pending(shop.db, shop.clock, shop.scoring, None) == 0
    assert await _purchase_points(shop) == [(shop.alice.id, shop.scoring.config.purchase)]
    assert await _supporter(shop)
    async with shop.db.read() as repos:
        payment = await repos.payments.get(outcome.payment.id)
    assert payment is not None and not payment.rewards_pending
    assert payment.points_awarded == shop.scoring.config.purchase


async def test_rewards_a_crash_left_due_are_given_by_the_repair_pass_once(shop: Shop) -> None:
    first, second = await _recorded(shop, "c1"), await _recorded(shop, "c2")
    assert first.payment is not None and second.payment is not None
    assert await do_reward_pending(shop.db, shop.clock, shop.scoring, None) == 2
    assert await do_reward_pending(shop.db, shop.clock, shop.scoring, None) == 0
    assert not await do_reward_payment(shop.db, shop.clock, shop.scoring, None, first.payment)  # the handler, late
    assert await _purchase_points(shop) == [(shop.alice.id, shop.scoring.config.purchase)] * 2


async def test_a_payment_refunded_before_its_rewards_earns_none(shop: Shop) -> None:
    outcome = await _recorded(shop, "c1")
    assert outcome.payment is not None

    async def refund(user_id: int, charge_id: str) -> None:
        """Telegram refunded it."""

    await do_refund(RefundEnv(shop.db, shop.clock, shop.scoring, refund), shop.group, shop.carol.id, "c1")
    assert not await do_reward_payment(shop.db, shop.clock, shop.scoring, None, outcome.payment)
    assert await do_reward_pending(shop.db, shop.clock, shop.scoring, None) == 0
    assert await _purchase_points(shop) == [] and not await _supporter(shop)


async def test_a_failed_refund_leaves_the_rewards_to_the_repair_pass(shop: Shop) -> None:
    outcome = await _recorded(shop, "c1")
    assert outcome.payment is not None

    async def broken(user_id: int, charge_id: str) -> None:
        raise RefundFailed(error="Bad Gateway")

    with pytest.raises(RefundFailed):  # the payment stands again: its rewards are still due
        await do_refund(RefundEnv(shop.db, shop.clock, shop.scoring, broken), shop.group, shop.carol.id, "c1")
    assert await do_reward_pending(shop.db, shop.clock, shop.scoring, None) == 1
    assert await _purchase_points(shop) == [(shop.alice.id, shop.scoring.config.purchase)]


async def test_a_refund_takes_back_what_a_reward_gave_after_the_refund_read_the_payment(shop: Shop) -> None:
    # PostgreSQL: /refund read the payment, then its status change waited for a reward that was
    # committing; what the refund takes back is read again once it holds the buyer's row.
    outcome = await _recorded(shop, "c1")
    assert outcome.payment is not None
    read_by_refund = outcome.payment  # points_awarded 0: read before the reward
    assert await do_reward_payment(shop.db, shop.clock, shop.scoring, None, outcome.payment)
    async with shop.db.transaction() as repos:
        assert await repos.payments.move(read_by_refund.id, ("paid",), "refunding")
        assert await finish_refund(repos, shop.scoring, read_by_refund, shop.carol.id, "admin", shop.clock.now())
    async with shop.db.read() as repos:
        assert await repos.ledger.sums(shop.group) == await repos.ledger.member_totals(shop.group)
        assert (await repos.points.member(shop.group, shop.alice.id)).balance == 0
    assert not await _supporter(shop)
