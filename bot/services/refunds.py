"""Refunds of Stars payments (admin /refund and automatic ones) and the revenue report."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.clock import Clock
from bot.errors import DomainError, NotFound
from bot.services.badges import SUPPORTER, display_name
from bot.services.notices import queue_notice
from bot.services.paid_questions import on_refunded
from bot.services.points import Grant, award_points
from bot.services.points_rules import Scoring
from storage.db import Database
from storage.models_content import PaymentStatus, StarPayment
from storage.repos import Repos
from storage.repos.payments import Revenue

log = logging.getLogger(__name__)

# Calls refundStarPayment(user_id, charge_id); returns when Telegram refunded it now or
# before (CHARGE_ALREADY_REFUNDED), raises RefundFailed otherwise.
RefundCall = Callable[[int, str], Awaitable[None]]
SYSTEM_ACTOR = 0  # audit rows of automatic refunds
REFUNDABLE: tuple[PaymentStatus, ...] = ("paid", "refund_due", "refunding")


class RefundFailed(DomainError):
    """Telegram did not refund the charge; nothing changed (Telegram's reason is in `error`, for the log)."""

    key = "refund.failed"


@dataclass(frozen=True)
class RefundEnv:
    """What every refund needs: storage, time, points rules and the Telegram refund call."""

    db: Database
    clock: Clock
    scoring: Scoring
    refund: RefundCall


@dataclass(frozen=True)
class RefundOutcome:
    """The payment after /refund, and whether it had been refunded before."""

    payment: StarPayment
    already: bool
    buyer: str


@dataclass(frozen=True)
class RevenueReport:
    """/revenue: Stars figures plus the memberships running now."""

    revenue: Revenue
    active_members: int
    names: dict[int, str]


async def do_refund(env: RefundEnv, community_id: int, actor_id: int, charge_id: str) -> RefundOutcome:
    """Refund a charge of this community: Telegram first, then revoke, reverse points and audit; idempotent."""
    async with env.db.transaction() as repos:
        payment = await repos.payments.by_charge(charge_id.strip())
        if payment is None or payment.community_id != community_id:
            raise NotFound("refund.unknown")
        buyer = await display_name(repos, payment.user_id)
        if payment.status == "refunded":
            return RefundOutcome(payment, already=True, buyer=buyer)
        previous = payment.status
        await repos.payments.move(payment.id, REFUNDABLE, "refunding", refunded_by=actor_id)
    done = await _refund_and_finish(env, payment, actor_id, "admin", previous)
    return RefundOutcome(done, already=False, buyer=buyer)


async def do_settle_refunds(env: RefundEnv, only: int | None = None) -> int:
    """Refund payments that grant nothing, and finish refunds a crash interrupted; return how many."""
    async with env.db.read() as repos:
        if only is None:
            due = await repos.payments.with_status(("refund_due", "refunding"))
        else:
            one = await repos.payments.get(only)
            due = [one] if one is not None and one.status in ("refund_due", "refunding") else []
    settled = 0
    for payment in due:
        if payment.status == "refund_due":
            async with env.db.transaction() as repos:
                if not await repos.payments.move(payment.id, ("refund_due",), "refunding"):
                    continue
        try:
            actor = payment.refunded_by or SYSTEM_ACTOR
            reason = payment.refund_reason or "admin"
            await _refund_and_finish(env, payment, actor, reason, payment.status)
            settled += 1
        except RefundFailed as exc:
            log.warning("automatic refund of payment %s failed: %s", payment.id, exc.params.get("error"))
    return settled


async def _refund_and_finish(
    env: RefundEnv, payment: StarPayment, actor_id: int, reason: str, previous: PaymentStatus
) -> StarPayment:
    try:
        await env.refund(payment.user_id, payment.charge_id)
    except RefundFailed:
        async with env.db.transaction() as repos:
            # Back to where it was, so a later /refund (or the next start) tries again.
            await repos.payments.move(payment.id, ("refunding",), previous)
        raise
    now = env.clock.now()
    async for attempt in env.db.retrying():
        async with attempt as repos:
            await finish_refund(repos, env.scoring, payment, actor_id, reason, now)
            refreshed = await repos.payments.get(payment.id)
    assert refreshed is not None
    return refreshed


async def finish_refund(
    repos: Repos, scoring: Scoring, payment: StarPayment, actor_id: int, reason: str, now: dt.datetime
) -> bool:
    """Inside the caller's transaction: mark refunded, revoke, reverse points, audit, tell the buyer.

    The buyer's row is held first: the membership's new expiry and the Supporter badge are read
    from the buyer's other payments, which a refund running beside this one may be changing.
    """
    await repos.users.lock(payment.user_id)
    if not await repos.payments.move(payment.id, ("refunding",), "refunded", refunded_at=now, refund_reason=reason):
        return False
    payment = await repos.payments.get(payment.id) or payment  # the points its reward gave, as committed
    community_id = payment.community_id
    title = ""
    if payment.kind == "item":
        await repos.entitlements.revoke_for_payment(payment.id, now)
        item = await repos.content.get(payment.item_id or 0)
        title = item.title if item else ""
    elif payment.kind == "plan" and community_id is not None:
        latest = await repos.payments.latest_plan_expiry(community_id, payment.user_id)
        # The membership runs to the latest period still paid for; with none left it ends now.
        await repos.plans.set_expiry(community_id, payment.user_id, latest or now, now)
    elif payment.kind == "question":
        await on_refunded(repos, payment, now)
    if community_id is not None:
        await _reverse_points(repos, scoring, payment, community_id, now)
        if not await repos.payments.count_standing(community_id, payment.user_id):
            # Supporter means a purchase that stands: the last one refunded, the badge goes too.
            await repos.badges.remove(community_id, payment.user_id, SUPPORTER)
        details = {"charge_id": payment.charge_id, "amount": payment.amount, "kind": payment.kind, "reason": reason}
        await repos.audit.add(community_id, actor_id, "payment.refund", payment.user_id, details, now)
    await queue_notice(
        repos, f"refund:{payment.charge_id}", payment.user_id, "payments/refunded", now, community_id=community_id,
        reason=reason, paid_for=payment.kind, amount=payment.amount, title=title,
    )
    return True


async def _reverse_points(
    repos: Repos, scoring: Scoring, payment: StarPayment, community_id: int, now: dt.datetime
) -> None:
    if payment.points_awarded <= 0:
        return
    member = await repos.points.member(community_id, payment.user_id)
    # Points already spent stay spent: take back what is left, never below zero.
    take = min(payment.points_awarded, max(member.balance if member else 0, 0))
    if take:
        grant = Grant(
            community_id, payment.user_id, -take, "purchase_refund", f"refund:{payment.charge_id}",
            ref=f"payment:{payment.id}",
        )
        await award_points(repos, scoring, grant, now)


async def get_revenue(db: Database, clock: Clock, community_id: int) -> RevenueReport:
    """Return the community's Stars figures for /revenue."""
    now = clock.now()
    async with db.read() as repos:
        revenue = await repos.payments.revenue(community_id, now - dt.timedelta(days=30))
        members = await repos.plans.count_active(community_id, now)
        users = await repos.users.get_many(p.user_id for p in revenue.recent)
    return RevenueReport(revenue, members, {uid: user.full_name for uid, user in users.items()})
