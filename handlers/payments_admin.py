"""Admins' money commands, in the group or in private: /plan, /refund and /revenue (details only in private)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from bot.context import CustomContext
from bot.errors import Usage
from bot.i18n import Raw
from bot.services.plans import do_add_plan, do_delete_plan, get_plans, parse_plan_add
from bot.services.refunds import RevenueReport, do_refund, get_revenue
from bot.numbers import parse_id
from handlers.common import command, reply
from bot.views.base import Texts
from handlers.console import console_community, console_private, deliver_to_admin, require_private_chat


async def manage_plans(update: Update, context: CustomContext) -> None:
    """/plan add <name> <stars> | list | del <id>."""
    community = await console_community(update, context)
    args = context.args or []
    action = args[0].lower() if args else ""
    actor = update.effective_user.id
    if action == "add":
        name, stars, trial = parse_plan_add(args[1:], context.settings.payments.max_stars)
        plan = await do_add_plan(context.db, context.clock, community.id, actor, name, stars, trial)
        await reply(update, context, "plan.added", id=plan.id, name=plan.name, stars=plan.price_stars)
        if plan.trial_days:
            await reply(update, context, "plan.added_trial", days=plan.trial_days, count=plan.trial_days)
    elif action in ("del", "delete", "rm") and len(args) == 2 and (plan_id := parse_id(args[1])) is not None:
        plan = await do_delete_plan(context.db, context.clock, community.id, actor, plan_id)
        await reply(update, context, "plan.deleted", id=plan.id, name=plan.name)
    elif action in ("list", "") and len(args) <= 1:
        plans = await get_plans(context.db, community.id)
        if not plans:
            await reply(update, context, "plan.list_empty")
            return
        lines = [context.t("plan.list_title")]
        lines += [context.t("plan.list_line", id=p.id, name=p.name, stars=p.price_stars) for p in plans]
        await update.effective_message.reply_text("\n".join(lines), do_quote=True)
    else:
        raise Usage("plan.usage")


async def refund(update: Update, context: CustomContext) -> None:
    """/refund <charge id>: refund in Telegram, revoke access, audit; a second time changes nothing.

    The outcome names the buyer, so it goes to the admin in private.
    """
    community = await console_community(update, context)
    if len(context.args or []) != 1:
        raise Usage("refund.usage")
    await require_private_chat(update, context)
    outcome = await do_refund(context.services.refunds, community.id, update.effective_user.id, context.args[0])

    async def send(chat_id: int, say: Texts) -> None:
        text = say.t("refund.already") if outcome.already else say.t(
            "refund.done", amount=outcome.payment.amount, name=outcome.buyer)
        await context.bot.send_message(chat_id, text)

    await deliver_to_admin(update, context, community, send)


async def revenue(update: Update, context: CustomContext) -> None:
    """/revenue: Stars in the last 30 days and all time, purchases, buyers, top items, recent charges (in private)."""
    community = await console_private(update, context)
    report = await get_revenue(context.db, context.clock, community.id)

    async def send(chat_id: int, say: Texts) -> None:
        await context.bot.send_message(chat_id, revenue_text(say, community.title, report))

    await deliver_to_admin(update, context, community, send)


def revenue_text(say: Texts, title: str, report: RevenueReport) -> str:
    """The /revenue report: totals, top items, recent charges with buyers and charge ids."""
    r = report.revenue
    lines = [
        say.t("revenue.title", title=title),
        say.t(
            "revenue.report", stars_30d=r.stars_30d, stars_total=r.stars_total, purchases=r.purchases,
            buyers=r.buyers, points_unlocks=r.points_unlocks, refunds=r.refunds, stars_refunded=r.stars_refunded,
            members=report.active_members,
        )
    ]
    if r.top_items:
        lines.append(say.t("revenue.top_title"))
        lines += [
            say.t("revenue.top_line", rank=rank, id=item_id, title=item_title, stars=stars, sales=sales)
            for rank, (item_id, item_title, stars, sales) in enumerate(r.top_items, 1)
        ]
    if r.recent:
        lines.append(say.t("revenue.recent_title"))
        for payment in r.recent:
            status = say.t("revenue.refunded") if payment.status == "refunded" else ""
            lines.append(
                say.t(
                    "revenue.recent_line",
                    charge=payment.charge_id,
                    name=report.names.get(payment.user_id, str(payment.user_id)),
                    amount=payment.amount, what=_what(say, payment.kind, payment.item_id), status=Raw(status),
                )
            )
    return "\n".join(lines)


def _what(say: Texts, kind: str, item_id: int | None) -> str:
    if kind == "item" and item_id is not None:
        return f"#{item_id}"
    return say.t("revenue.what_plan" if kind == "plan" else "revenue.what_other")


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers."""
    return [
        command("plan", manage_plans),
        command("refund", refund),
        command("revenue", revenue),
    ]
