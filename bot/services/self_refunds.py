"""The self-service refund window: a buyer refunds a recent purchase from /mycontent.

Within `refund_window_hours` of paying (0 turns it off), a buyer may refund an item once per
item and the latest period of a membership, at most `refunds_per_month` times in 30 days per
community. Access ends in the same step that starts the refund; Telegram's refund and the rest
(points, badge, audit, the buyer's notice) follow as for an admin's /refund, and a refund a crash
interrupted is finished at the next start. The item's creator (for a plan, the admins) is told.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.config import Settings
from bot.errors import DomainError, NotFound
from bot.services.badges import display_name
from bot.services.notices import queue_notice
from bot.services.refunds import RefundEnv, do_settle_refunds
from bot.services.settings import read_community_settings
from storage.models_content import StarPayment
from storage.repos import Repos
from storage.repos.self_refunds import SELF

MONTH = dt.timedelta(days=30)
MAX_WINDOW = dt.timedelta(hours=720)  # the largest refund_window_hours a community may set


@dataclass(frozen=True)
class Refundable:
    """A payment the buyer may refund now, what it bought, and until when."""

    payment: StarPayment
    title: str
    until: dt.datetime


async def get_refundable(env: RefundEnv, config: Settings, user_id: int) -> list[Refundable]:
    """Return the user's purchases they may refund now (for the buttons of /mycontent)."""
    now = env.clock.now()
    found: list[Refundable] = []
    async with env.db.read() as repos:
        for payment in await repos.self_refunds.paid_since(user_id, now - MAX_WINDOW):
            until = await _refusal(repos, config, payment, user_id, now)
            if isinstance(until, dt.datetime):
                found.append(Refundable(payment, await _title(repos, payment), until))
    return found


async def do_self_refund(env: RefundEnv, config: Settings, user_id: int, payment_id: int) -> StarPayment:
    """Refund the buyer's own payment if the window allows: access ends now, then Telegram refunds."""
    now = env.clock.now()
    async for attempt in env.db.retrying():
        async with attempt as repos:
            # The buyer's row first: the monthly limit and "once per item" count their other refunds,
            # which a second tap (or another purchase's refund) may be starting at the same moment.
            await repos.users.lock(user_id)
            payment = await repos.payments.get(payment_id)
            if payment is None or payment.user_id != user_id:
                raise NotFound("selfrefund.unknown")
            verdict = await _refusal(repos, config, payment, user_id, now)
            if not isinstance(verdict, dt.datetime):
                raise DomainError(verdict)
            if not await repos.payments.move(payment.id, ("paid",), "refunding", refunded_by=user_id,
                                             refund_reason=SELF):
                raise DomainError("selfrefund.done_already")
            await _end_access(repos, payment, now)
            await _tell_creator(repos, payment, now)
    if not await do_settle_refunds(env, only=payment_id):
        # Telegram said no for now: the payment stays "refunding" and the next start tries again.
        raise DomainError("selfrefund.later")
    async with env.db.read() as repos:
        refunded = await repos.payments.get(payment_id)
    assert refunded is not None
    return refunded


async def _refusal(
    repos: Repos, config: Settings, payment: StarPayment, user_id: int, now: dt.datetime
) -> dt.datetime | str:
    """Return when the window for this payment closes, or the key saying why it cannot be refunded."""
    community_id = payment.community_id
    if payment.status != "paid" or community_id is None or payment.kind not in ("item", "plan"):
        return "selfrefund.not_refundable"
    settings = await read_community_settings(repos, community_id, config)
    hours = settings["refund_window_hours"]
    if not hours:
        return "selfrefund.off"
    until = payment.created_at + dt.timedelta(hours=hours)
    if until <= now:
        return "selfrefund.too_late"
    if payment.kind == "item" and await repos.self_refunds.refunded_item(user_id, payment.item_id or 0):
        return "selfrefund.once"
    if payment.kind == "plan":
        latest = await repos.self_refunds.latest_plan_payment(community_id, user_id)
        if latest is None or latest.id != payment.id:
            return "selfrefund.latest_only"
    if await repos.self_refunds.count_since(community_id, user_id, now - MONTH) >= settings["refunds_per_month"]:
        return "selfrefund.limit"
    return until


async def _end_access(repos: Repos, payment: StarPayment, now: dt.datetime) -> None:
    """Revoke the item, or cut the membership back to the periods still paid for (as a finished refund does)."""
    if payment.kind == "item":
        await repos.entitlements.revoke_for_payment(payment.id, now)
    elif payment.community_id is not None:
        latest = await repos.payments.latest_plan_expiry(payment.community_id, payment.user_id)
        await repos.plans.set_expiry(payment.community_id, payment.user_id, latest or now, now)


async def _title(repos: Repos, payment: StarPayment) -> str:
    if payment.kind == "item":
        item = await repos.content.get(payment.item_id or 0)
        return item.title if item else ""
    community = await repos.communities.get(payment.community_id or 0)
    return community.title if community else ""


async def _tell_creator(repos: Repos, payment: StarPayment, now: dt.datetime) -> None:
    """Queue a notice to the item's creator, or for a membership to the community's admins."""
    community_id = payment.community_id
    assert community_id is not None
    if payment.kind == "item":
        item = await repos.content.get(payment.item_id or 0)
        recipients = {item.creator_id} if item else set()
    else:
        recipients = await repos.memberships.admins(community_id)
    buyer = await display_name(repos, payment.user_id)
    title = await _title(repos, payment)
    for recipient in sorted(recipients - {payment.user_id}):
        await queue_notice(
            repos, f"selfrefund:{payment.charge_id}:{recipient}", recipient, "refunds/self_creator", now,
            community_id=community_id, buyer=buyer, title=title, amount=payment.amount, paid_for=payment.kind,
        )
