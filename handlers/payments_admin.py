"""Admins' money commands in the group: /plan, /refund and /revenue."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, filters

from bot.context import CustomContext
from bot.errors import Usage
from bot.i18n import Raw
from bot.services.plans import do_add_plan, do_delete_plan, get_plans, parse_plan_add
from bot.services.refunds import do_refund, get_revenue
from bot.numbers import parse_id
from handlers.common import command, reply, require_admin, require_community


async def manage_plans(update: Update, context: CustomContext) -> None:
    """/plan add <name> <stars> | list | del <id>."""
    community = await require_community(update, context)
    await require_admin(update, context)
    args = context.args or []
    action = args[0].lower() if args else ""
    actor = update.effective_user.id
    if action == "add":
        name, stars = parse_plan_add(args[1:], context.settings.payments.max_stars)
        plan = await do_add_plan(context.db, context.clock, community.id, actor, name, stars)
        await reply(update, context, "plan.added", id=plan.id, name=plan.name, stars=plan.price_stars)
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
    """/refund <charge id>: refund in Telegram, revoke access, audit; a second time changes nothing."""
    community = await require_community(update, context)
    await require_admin(update, context)
    if len(context.args or []) != 1:
        raise Usage("refund.usage")
    outcome = await do_refund(context.services.refunds, community.id, update.effective_user.id, context.args[0])
    if outcome.already:
        await reply(update, context, "refund.already")
        return
    await reply(update, context, "refund.done", amount=outcome.payment.amount, name=outcome.buyer)


async def revenue(update: Update, context: CustomContext) -> None:
    """/revenue: Stars in the last 30 days and all time, purchases, buyers, top items, recent charges."""
    community = await require_community(update, context)
    await require_admin(update, context)
    report = await get_revenue(context.db, context.clock, community.id)
    r = report.revenue
    lines = [
        context.t(
            "revenue.report", stars_30d=r.stars_30d, stars_total=r.stars_total, purchases=r.purchases,
            buyers=r.buyers, points_unlocks=r.points_unlocks, refunds=r.refunds, stars_refunded=r.stars_refunded,
            members=report.active_members,
        )
    ]
    if r.top_items:
        lines.append(context.t("revenue.top_title"))
        lines += [
            context.t("revenue.top_line", rank=rank, id=item_id, title=title, stars=stars, sales=sales)
            for rank, (item_id, title, stars, sales) in enumerate(r.top_items, 1)
        ]
    if r.recent:
        lines.append(context.t("revenue.recent_title"))
        for payment in r.recent:
            status = context.t("revenue.refunded") if payment.status == "refunded" else ""
            lines.append(
                context.t(
                    "revenue.recent_line",
                    charge=payment.charge_id,
                    name=report.names.get(payment.user_id, str(payment.user_id)),
                    amount=payment.amount, what=_what(context, payment.kind, payment.item_id), status=Raw(status),
                )
            )
    await update.effective_message.reply_text("\n".join(lines), do_quote=True)


def _what(context: CustomContext, kind: str, item_id: int | None) -> str:
    if kind == "item" and item_id is not None:
        return f"#{item_id}"
    return context.t("revenue.what_plan" if kind == "plan" else "revenue.what_other")


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers."""
    return [
        command("plan", manage_plans, only=filters.ChatType.GROUPS),
        command("refund", refund, only=filters.ChatType.GROUPS),
        command("revenue", revenue, only=filters.ChatType.GROUPS),
    ]
