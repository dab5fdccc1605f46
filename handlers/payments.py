"""Buying with Stars: invoices, pre-checkout answers, successful payments, /subscribe."""

from __future__ import annotations

import datetime as dt
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, PreCheckoutQueryHandler
from telegram.ext import filters

from bot.context import CustomContext
from bot.errors import NotFound
from bot.i18n import Raw
from bot.links import SUBSCRIBE, StartPayload, deep_link
from bot.payload import sign_order
from bot.services.communities import get_community
from bot.services.content import get_user_communities
from bot.services.expiry import do_record_subscription_state
from bot.services.payments import (
    CURRENCY,
    PaymentInfo,
    check_pre_checkout,
    do_create_item_order,
    do_create_plan_order,
    do_record_payment,
    do_reward_payment,
)
from bot.services.plans import do_start_trial, get_membership, get_plans, get_trial_taken, get_waiting_join
from bot.services.refunds import do_settle_refunds
from bot.views.content import plan_button, short, trial_button
from bot.views.content_data import PAYMENT_PATTERN
from bot.views.coupons import code_button
from handlers.common import command, is_group, load_community, read_content_press, user_info

log = logging.getLogger(__name__)

SUBSCRIPTION_SECONDS = 2592000


# --- invoices -------------------------------------------------------------------------------


async def send_item_invoice(update: Update, context: CustomContext, item_id: int, coupon_id: int | None = None) -> None:
    """Create an order for the item (with a coupon, if any) and send its Stars invoice to the presser's private chat."""
    query = update.callback_query
    user = query.from_user
    order, item = await do_create_item_order(
        context.db, context.clock, context.settings.payments, context.services.payload_secret,
        context.settings.points.levels, item_id, user_info(update), coupon_id,
    )
    community = await get_community(context.db, item.community_id)
    title = str(short(item.title, 32))
    description = context.t("invoice.item", title=Raw(item.title), community=Raw(community.title if community else ""))
    # Stars invoices need no provider token; PTB's Defaults would turn an empty string into "[]".
    await context.bot.send_invoice(
        user.id, title, str(short(description, 255)), sign_order(order.id, context.services.payload_secret),
        CURRENCY, [LabeledPrice(title, order.amount)],
    )
    await query.answer(context.t("buy.invoice_sent"))


async def send_plans(update: Update, context: CustomContext, community_id: int | None) -> None:
    """Show the plans of one community (or of all the user's) with subscribe buttons."""
    user_id = update.effective_user.id
    if community_id is not None:
        community = await get_community(context.db, community_id)
        communities = [community] if community is not None else []
    else:
        communities = await get_user_communities(context.db, user_id)
    lines, rows = [context.t("subscribe.title")], []
    now = context.clock.now()
    for community in communities:
        plans = await get_plans(context.db, community.id)
        membership = await get_membership(context.db, community.id, user_id)
        status = ""
        if membership is not None and membership.expires_at > now:
            status = context.t("subscribe.status_active", until=_day(membership.expires_at))
        if plans or status:
            lines.append(context.t("subscribe.community", title=community.title, status=Raw(status)))
            rows += [[plan_button(context.t, plan), code_button(context.t, "plan", plan.id)] for plan in plans]
            if status == "" and not await get_trial_taken(context.db, community.id, user_id):
                rows += [[trial_button(context.t, plan)] for plan in plans if plan.trial_days]
    if len(lines) == 1:
        lines.append(context.t("subscribe.none"))
    await update.effective_message.reply_text(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows) if rows else None
    )


async def press_plan(update: Update, context: CustomContext, plan_id: int, coupon_id: int | None = None) -> None:
    """Create a plan order (with a coupon, if any) and send a subscription invoice link (renewed every 30 days)."""
    query = update.callback_query
    order, plan, community = await do_create_plan_order(
        context.db, context.clock, context.settings.payments, context.services.payload_secret, plan_id,
        user_info(update), coupon_id,
    )
    title = str(short(plan.name, 32))
    description = context.t("invoice.plan", name=Raw(plan.name), community=Raw(community.title))
    link = await context.bot.create_invoice_link(
        title, str(short(description, 255)), sign_order(order.id, context.services.payload_secret), CURRENCY,
        [LabeledPrice(title, order.amount)], subscription_period=SUBSCRIPTION_SECONDS,
    )
    button = InlineKeyboardButton(context.t("subscribe.btn.pay", stars=order.amount), url=link)
    await query.answer()
    await context.bot.send_message(
        query.from_user.id,
        context.t("subscribe.link", name=plan.name, title=community.title, stars=order.amount),
        reply_markup=InlineKeyboardMarkup([[button]]),
    )


async def subscribe(update: Update, context: CustomContext) -> None:
    """/subscribe: in the group a link to the private chat; in private the plans on offer."""
    if is_group(update):
        community = await load_community(update, context)
        if community is None:
            raise NotFound()
        link = deep_link(context.bot.username, SUBSCRIBE, community.id)
        button = InlineKeyboardButton(context.t("subscribe.btn.open"), url=link)
        await update.effective_message.reply_text(
            context.t("subscribe.group"), reply_markup=InlineKeyboardMarkup([[button]]), do_quote=True
        )
        return
    await send_plans(update, context, None)


def _day(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%d")


# --- checkout -------------------------------------------------------------------------------


async def answer_pre_checkout(update: Update, context: CustomContext) -> None:
    """Answer within Telegram's 10 seconds: ok only when every check passes, else say why."""
    query = update.pre_checkout_query
    refusal = await check_pre_checkout(
        context.db, context.clock, context.services.payload_secret, context.settings.points.levels,
        query.invoice_payload, query.from_user.id, query.currency, query.total_amount,
    )
    if refusal is None:
        await query.answer(ok=True)
        return
    lang = context.lang  # the buyer's language (handlers.settings.use_member_language)
    log.info("pre-checkout %s refused for user %s: %s", query.id, query.from_user.id, refusal.key)
    await query.answer(ok=False, error_message=context.services.t(lang, refusal.key, **refusal.params))


async def record_payment(update: Update, context: CustomContext) -> None:
    """Record the payment once, then thank, deliver, or refund what grants nothing."""
    message = update.effective_message
    paid = message.successful_payment
    expiration = paid.subscription_expiration_date
    if isinstance(expiration, int):
        expiration = dt.datetime.fromtimestamp(expiration, dt.UTC)
    info = PaymentInfo(
        user=user_info(update),
        charge_id=paid.telegram_payment_charge_id,
        provider_charge_id=paid.provider_payment_charge_id,
        payload=paid.invoice_payload,
        currency=paid.currency,
        amount=paid.total_amount,
        subscription_expiration=expiration,
        is_first_recurring=bool(paid.is_first_recurring),
    )
    services = context.services
    outcome = await do_record_payment(context.db, context.clock, services.payload_secret, info)
    if outcome.duplicate:
        log.info("duplicate successful_payment %s ignored", update.update_id)
        return
    # The content first: it is what the buyer waits for. The thank-you and any badge or
    # level-up announcements follow from the outbox (group ones may wait for flood limits).
    if outcome.delivery is not None:
        sent = outcome.delivery  # what the payment's transaction read: nothing is read before the send
        await services.deliverer.deliver_now(sent.entitlement_id, sent.item, sent.user_id, sent.language)
    elif outcome.entitlement_id is not None:
        await services.deliverer.deliver([outcome.entitlement_id])
    if outcome.refund_due and outcome.payment is not None:
        await do_settle_refunds(services.refunds, only=outcome.payment.id)
    payment = outcome.payment
    if payment is not None and payment.kind == "plan" and not outcome.refund_due:
        await let_member_in(context, payment.community_id or 0, payment.user_id, outcome.readmit, payment.charge_id)
    if outcome.rewards_due and payment is not None:
        await do_reward_payment(context.db, context.clock, services.scoring, context.settings, payment)


async def let_member_in(context: CustomContext, community_id: int, user_id: int, readmit: bool, key: str) -> None:
    """After a membership starts: approve a join request that waited for it, or send a removed member a way back."""
    services = context.services
    if await get_waiting_join(context.db, community_id, user_id):  # gate=request
        await services.gateway.admit(community_id, user_id)
    if readmit:  # removed when the membership ended: a single-use link back in
        await services.gateway.invite_back(community_id, user_id, key)


async def press_trial(update: Update, context: CustomContext, plan_id: int) -> None:
    """Start a plan's free trial (once per person and community) and say until when it runs."""
    query = update.callback_query
    started = await do_start_trial(context.db, context.clock, plan_id, user_info(update))
    community = await get_community(context.db, started.plan.community_id)
    await query.answer()
    await context.bot.send_message(query.from_user.id, context.t(
        "trial.started", days=started.plan.trial_days, count=started.plan.trial_days, name=started.plan.name,
        title=community.title if community else "", until=_day(started.membership.expires_at),
    ))
    await let_member_in(context, started.plan.community_id, query.from_user.id, started.readmit,
                        f"trial:{started.plan.community_id}:{query.from_user.id}")


# --- the subscription update (Bot API 10.2) ------------------------------------------------

SUBSCRIPTION_UPDATE = "subscription"  # PTB 22 does not parse it yet: it arrives in Update.api_kwargs


class SubscriptionUpdateHandler(BaseHandler[Update, CustomContext, None]):
    """Handle `subscription` updates (renewal cancelled, re-enabled or failed) until PTB parses them."""

    def check_update(self, update: object) -> bool:
        """Match an update that carries a subscription object."""
        return isinstance(update, Update) and isinstance(update.api_kwargs.get(SUBSCRIPTION_UPDATE), dict)


async def record_subscription_state(update: Update, context: CustomContext) -> None:
    """Record what Telegram says about a member's subscription; the member is told in private."""
    data = update.api_kwargs[SUBSCRIPTION_UPDATE]
    user = data.get("user")
    user_id = user.get("id") if isinstance(user, dict) else None
    payload, state = data.get("invoice_payload"), data.get("state")
    if not isinstance(user_id, int) or not isinstance(payload, str) or not isinstance(state, str):
        log.warning("subscription update %s is malformed: %s", update.update_id, data)
        return
    services = context.services
    if not await do_record_subscription_state(context.db, context.clock, services.payload_secret, user_id,
                                              payload, state):
        log.info("subscription update %s matches no membership (state %s)", update.update_id, state)


# --- wiring ---------------------------------------------------------------------------------


async def press_payment_button(update: Update, context: CustomContext) -> None:
    """Buy an item with Stars or subscribe to a plan from a button in the private chat."""
    data = await read_content_press(update, context)
    if data is None:
        return
    if data.action == "b":
        await send_item_invoice(update, context, data.args[0])
    elif data.action == "t":
        await press_trial(update, context, data.args[0])
    else:
        await press_plan(update, context, data.args[0])


async def open_subscribe_link(update: Update, context: CustomContext, payload: StartPayload) -> None:
    """Answer /start sub_<community>: that community's plans."""
    await send_plans(update, context, payload.id)


START_ROUTES = {SUBSCRIBE: open_subscribe_link}


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers (its /start routes are START_ROUTES)."""
    return [
        CallbackQueryHandler(press_payment_button, pattern=PAYMENT_PATTERN),
        PreCheckoutQueryHandler(answer_pre_checkout),
        MessageHandler(filters.SUCCESSFUL_PAYMENT, record_payment),
        SubscriptionUpdateHandler(record_subscription_state),
        command("subscribe", subscribe),
    ]


__all__ = ["START_ROUTES", "build_handlers"]
