"""Buying with Telegram Stars: orders, the pre-checkout verdict, and recording a payment once."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.config import PaymentsConfig, Settings
from bot.errors import DomainError, NotFound
from bot.payload import verify_order
from bot.services.badges import SUPPORTER, award_badge
from bot.services.communities import UserInfo
from bot.services.communities import ensure_user
from bot.services.content import access_of, require_buyable
from bot.services.notices import private_language, queue_notice
from bot.services.paid_questions import grant_question, question_refusal
from bot.services.coupons import Target, attach_coupon, check_order_coupon, price_with_coupon, redeem_coupon
from bot.services.plans import renews
from bot.services.points import Grant, award_points
from bot.services.points_rules import Scoring
from bot.services.referrals import PURCHASED, reward_referral
from storage.db import Database
from storage.models import Community
from storage.models_content import ContentItem, Order, Plan, StarPayment
from storage.repos import Repos

log = logging.getLogger(__name__)

CURRENCY = "XTR"
SUBSCRIPTION_PERIOD = dt.timedelta(seconds=2592000)


class PaymentsOff(DomainError):
    """No payload secret is configured, so Stars invoices cannot be signed."""

    key = "buy.payments_off"


@dataclass(frozen=True)
class Refusal:
    """Why a pre-checkout query is refused: a message key and its parameters."""

    key: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class PaymentInfo:
    """A successful_payment as the services need it."""

    user: UserInfo
    charge_id: str
    provider_charge_id: str | None
    payload: str
    currency: str
    amount: int
    subscription_expiration: dt.datetime | None = None
    is_first_recurring: bool = False


@dataclass(frozen=True)
class Delivery:
    """What sending a granted item needs, read in the payment's own transaction (no read before the send)."""

    entitlement_id: int
    item: ContentItem
    user_id: int
    language: str


@dataclass(frozen=True)
class PaymentOutcome:
    """What recording a payment did: nothing (a duplicate), a grant (with its delivery), or a refund to make."""

    duplicate: bool
    payment: StarPayment | None = None
    entitlement_id: int | None = None
    refund_due: bool = False
    readmit: bool = False  # a renewal of a member removed when their membership ended: let them back in
    delivery: Delivery | None = None

    @property
    def rewards_due(self) -> bool:
        """Whether the payment stands, so do_reward_payment has the buyer's points and badge to give."""
        return self.payment is not None and not self.duplicate and not self.refund_due


# --- orders ---------------------------------------------------------------------------------


async def do_create_item_order(
    db: Database,
    clock: Clock,
    config: PaymentsConfig,
    secret: bytes | None,
    levels: Sequence[int],
    item_id: int,
    user: UserInfo,
    coupon_id: int | None = None,
) -> tuple[Order, ContentItem]:
    """Create a pending order for an item the user cannot open yet, at its current Stars price (less a coupon)."""
    if secret is None:
        raise PaymentsOff()
    now = clock.now()
    async with db.transaction() as repos:
        item = await require_buyable(repos, item_id, user.id, now, levels)
        if not item.price_stars:
            raise DomainError("buy.not_for_stars")
        target = Target("item", item.id, item.community_id, item.price_stars, item.title)
        amount, coupon = await price_with_coupon(repos, coupon_id, target, user.id, now)
        await ensure_user(repos, user, now)
        expires = now + dt.timedelta(minutes=config.order_ttl_minutes)
        order = await repos.orders.add(item.community_id, user.id, "item", amount, now, expires, item_id=item.id)
        await attach_coupon(repos, order, coupon, item.price_stars, now)
    return order, item


async def do_create_plan_order(
    db: Database, clock: Clock, config: PaymentsConfig, secret: bytes | None, plan_id: int, user: UserInfo,
    coupon_id: int | None = None,
) -> tuple[Order, Plan, Community]:
    """Create a pending order for a plan's first payment (not while a membership runs)."""
    if secret is None:
        raise PaymentsOff()
    now = clock.now()
    async with db.transaction() as repos:
        plan = await repos.plans.get(plan_id)
        community = await repos.communities.get(plan.community_id) if plan else None
        if plan is None or plan.status != "active" or community is None:
            raise NotFound("plan.unknown", id=plan_id)
        membership = await repos.plans.membership(plan.community_id, user.id)
        if renews(membership, now):
            raise DomainError("subscribe.active", until=membership.expires_at.strftime("%Y-%m-%d"))
        target = Target("plan", plan.id, plan.community_id, plan.price_stars, plan.name)
        amount, coupon = await price_with_coupon(repos, coupon_id, target, user.id, now)
        await ensure_user(repos, user, now)
        expires = now + dt.timedelta(minutes=config.order_ttl_minutes)
        order = await repos.orders.add(plan.community_id, user.id, "plan", amount, now, expires, plan_id=plan.id)
        await attach_coupon(repos, order, coupon, plan.price_stars, now)
    return order, plan, community


# --- pre-checkout ---------------------------------------------------------------------------


async def check_pre_checkout(
    db: Database,
    clock: Clock,
    secret: bytes | None,
    levels: Sequence[int],
    payload: str,
    user_id: int,
    currency: str,
    amount: int,
) -> Refusal | None:
    """Return None when the payment may go ahead, else why not (every check, server-side)."""
    order_id = verify_order(payload, secret)
    if order_id is None:
        return Refusal("pay.refuse.invalid")
    now = clock.now()
    async with db.read() as repos:
        order = await repos.orders.get(order_id)
        if order is None:
            return Refusal("pay.refuse.invalid")
        if order.user_id != user_id:
            return Refusal("pay.refuse.not_yours")
        if order.status != "pending":
            return Refusal("pay.refuse.paid")
        if order.expires_at <= now:
            return Refusal("pay.refuse.expired")
        if currency != order.currency or amount != order.amount:
            return Refusal("pay.refuse.amount")
        coupon = await check_order_coupon(repos, order, now)
        if coupon.problem is not None:
            return Refusal(coupon.problem, {"code": coupon.code})
        if order.kind == "item":
            return await _item_refusal(repos, order, coupon.list_price, now, levels)
        if order.kind == "question":
            refusal = await question_refusal(repos, order)
            return Refusal(refusal) if refusal else None
        return await _plan_refusal(repos, order, coupon.list_price, now)


async def _item_refusal(
    repos: Repos, order: Order, list_price: int, now: dt.datetime, levels: Sequence[int]
) -> Refusal | None:
    item = await repos.content.get(order.item_id or 0)
    if item is None or not item.is_published:
        return Refusal("pay.refuse.unavailable")
    if item.price_stars != list_price:
        return Refusal("pay.refuse.price_changed")
    if await access_of(repos, item, order.user_id, now, levels) == "owned":
        return Refusal("pay.refuse.owned")
    return None


async def _plan_refusal(repos: Repos, order: Order, list_price: int, now: dt.datetime) -> Refusal | None:
    plan = await repos.plans.get(order.plan_id or 0)
    if plan is None or plan.status != "active":
        return Refusal("pay.refuse.unavailable")
    if plan.price_stars != list_price:
        return Refusal("pay.refuse.price_changed")
    if renews(await repos.plans.membership(order.community_id, order.user_id), now):
        return Refusal("pay.refuse.member")
    return None


# --- successful payment ---------------------------------------------------------------------


async def do_record_payment(db: Database, clock: Clock, secret: bytes | None, info: PaymentInfo) -> PaymentOutcome:
    """Record a payment, mark the order paid and grant what it bought — one transaction, once per charge.

    Only what the delivery needs: the buyer's points, badge and the inviter's reward follow in
    do_reward_payment, after the content went out (the payment row says they are due, so a
    crash in between loses nothing). The buyer's row is held for the transaction (PostgreSQL),
    so a refund of their other payments recomputes the membership with this one in view.
    """
    now = clock.now()
    order_id = verify_order(info.payload, secret)
    async for attempt in db.retrying():
        async with attempt as repos:
            outcome = await _record(repos, order_id, info, now)
    return outcome


async def do_reward_payment(
    db: Database, clock: Clock, scoring: Scoring, settings: Settings | None, payment: StarPayment
) -> bool:
    """Give what a standing payment earns — the buyer's points and Supporter badge, the inviter's reward — once.

    False when it was given already or the payment was refunded first (then nothing is due).
    """
    now = clock.now()
    async for attempt in db.retrying():
        async with attempt as repos:
            # The buyer's row first, as a refund does: the badge and points are read per buyer.
            await repos.users.lock(payment.user_id)
            given = await repos.payments.take_rewards(payment.id)
            if given:
                await _reward(repos, scoring, payment, now)
                assert payment.community_id is not None
                await reward_referral(repos, scoring, settings, payment.community_id, payment.user_id, PURCHASED, now)
    return given


async def do_reward_pending(db: Database, clock: Clock, scoring: Scoring, settings: Settings | None) -> int:
    """Give the rewards of payments whose recording committed but whose reward did not (a crash); return how many."""
    async with db.read() as repos:
        pending = await repos.payments.rewards_pending()
    given = 0
    for payment in pending:
        given += await do_reward_payment(db, clock, scoring, settings, payment)
    return given


async def _record(repos: Repos, order_id: int | None, info: PaymentInfo, now: dt.datetime) -> PaymentOutcome:
    """Inside do_record_payment's transaction: record the charge once, then grant or mark it due a refund."""
    stored = await ensure_user(repos, info.user, now)
    await repos.users.lock(info.user.id)
    if stored.started_at is None:  # paid in the private chat: it is open to the bot
        await repos.users.mark_started(info.user.id, now)
    order = await repos.orders.get(order_id) if order_id is not None else None
    if order is not None and order.user_id != info.user.id:
        order = None
    payment = await repos.payments.add(
        now,
        charge_id=info.charge_id,
        provider_charge_id=info.provider_charge_id or None,
        community_id=order.community_id if order else None,
        user_id=info.user.id,
        order_id=order.id if order else None,
        kind=order.kind if order else "unknown",
        item_id=order.item_id if order else None,
        plan_id=order.plan_id if order else None,
        currency=info.currency,
        amount=info.amount,
        subscription_expires_at=info.subscription_expiration,
        is_first_recurring=info.is_first_recurring,
        status="paid",
        rewards_pending=True,
    )
    if payment is None:
        return PaymentOutcome(duplicate=True)
    if order is None or info.currency != order.currency or info.amount != order.amount:
        log.warning("payment %s matches no order of user %s; refunding it", payment.id, info.user.id)
        return await _refund_due(repos, payment, "orphan")
    if not await redeem_coupon(repos, order, payment.id, now):
        return await _refund_due(repos, payment, "coupon")  # the member or the coupon ran out meanwhile
    if order.kind == "item":
        outcome = await _grant_item(repos, order, payment, now)
    elif order.kind == "question":
        refund = await grant_question(repos, order, payment, now)
        if refund is not None:
            return await _refund_due(repos, payment, refund)
        outcome = PaymentOutcome(duplicate=False, payment=payment)
    else:
        outcome = await _extend_membership(repos, order, payment, info, now)
    return outcome


async def _refund_due(repos: Repos, payment: StarPayment, reason: str) -> PaymentOutcome:
    await repos.payments.move(payment.id, ("paid",), "refund_due", refund_reason=reason, rewards_pending=False)
    return PaymentOutcome(duplicate=False, payment=payment, refund_due=True)


async def _grant_item(
    repos: Repos, order: Order, payment: StarPayment, now: dt.datetime
) -> PaymentOutcome:
    if not await repos.orders.mark_paid(order.id, now):
        return await _refund_due(repos, payment, "order_paid")
    # A paid order is honoured even if the item was unpublished after the pre-checkout.
    entitlement = await repos.entitlements.grant(
        order.community_id, order.item_id or 0, order.user_id, "stars", now, payment_id=payment.id
    )
    if entitlement is None:
        return await _refund_due(repos, payment, "owned")
    item = await repos.content.get(order.item_id or 0)
    await queue_notice(
        repos, f"paid:{payment.charge_id}", order.user_id, "payments/thanks", now,
        community_id=order.community_id, title=item.title if item else "", amount=payment.amount,
    )
    delivery = None
    if item is not None:
        language = await private_language(repos, order.user_id, order.community_id)
        delivery = Delivery(entitlement.id, item, order.user_id, language)
    return PaymentOutcome(duplicate=False, payment=payment, entitlement_id=entitlement.id, delivery=delivery)


async def _extend_membership(
    repos: Repos, order: Order, payment: StarPayment, info: PaymentInfo, now: dt.datetime
) -> PaymentOutcome:
    # The first payment marks the order paid; renewals arrive with the same (paid) order.
    await repos.orders.mark_paid(order.id, now)
    until = info.subscription_expiration or now + SUBSCRIPTION_PERIOD
    membership = await repos.plans.extend(order.community_id, order.user_id, order.plan_id, until, now)
    renewal = "on" if info.subscription_expiration else "off"
    lapse = await repos.plans.renewed(order.community_id, order.user_id, renewal, now)
    community = await repos.communities.get(order.community_id)
    await queue_notice(
        repos, f"paid:{payment.charge_id}", order.user_id, "payments/membership", now,
        community_id=order.community_id, title=community.title if community else "",
        until=membership.expires_at.strftime("%Y-%m-%d"), amount=payment.amount,
    )
    return PaymentOutcome(duplicate=False, payment=payment, readmit=lapse in ("removing", "removed"))


async def _reward(repos: Repos, scoring: Scoring, payment: StarPayment, now: dt.datetime) -> None:
    community_id = payment.community_id
    assert community_id is not None
    rules = await scoring.rules(repos, community_id)
    if rules.purchase > 0:
        grant = Grant(
            community_id, payment.user_id, rules.purchase, "purchase", f"purchase:{payment.charge_id}",
            ref=f"payment:{payment.id}",
        )
        award = await award_points(repos, scoring, grant, now)
        if award.applied:
            await repos.payments.move(payment.id, ("paid",), "paid", points_awarded=award.delta)
    await award_badge(repos, community_id, payment.user_id, SUPPORTER, now)
