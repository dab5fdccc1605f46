"""Coupons: /coupon add|list|del (admins), "Have a code?" on item cards and plans, item_<id>_<code> links."""

from __future__ import annotations

import warnings

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from bot.context import CustomContext
from bot.errors import DomainError, Usage
from bot.i18n import Raw
from bot.links import ITEM, ITEM_CODE, StartPayload
from bot.services.coupons import (
    CouponOffer,
    do_add_coupon,
    do_delete_coupon,
    get_coupons,
    get_item_offer,
    get_plan_offer,
    normalize_code,
    parse_coupon_add,
)
from bot.views.button_data import Press
from bot.views.coupons import COUPON_DATA, KIND_OF, list_line, offer_keyboard, offer_text
from handlers import content, payments
from handlers.common import command, reply, user_info
from handlers.console import console_community

CODE = 0  # the conversation's one state: waiting for the member's code
TARGET = "coupon_target"  # user_data: (kind, id) the code is for
ANSWER = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND


# --- admins -------------------------------------------------------------------------------


async def manage_coupons(update: Update, context: CustomContext) -> None:
    """/coupon add CODE 20%|50 [uses=N] [until=YYYY-MM-DD] [item=ID|plan=ID] | list | del CODE."""
    community = await console_community(update, context)
    args = context.args or []
    action = args[0].lower() if args else ""
    actor = update.effective_user.id
    if action == "add":
        spec = parse_coupon_add(args[1:], context.settings.payments.max_stars)
        coupon = await do_add_coupon(context.db, context.clock, community.id, actor, spec)
        await reply(update, context, "coupon.added", line=Raw(list_line(context.t, coupon)))
    elif action in ("del", "delete", "rm") and len(args) == 2:
        coupon = await do_delete_coupon(context.db, context.clock, community.id, actor, normalize_code(args[1]))
        await reply(update, context, "coupon.deleted", code=coupon.code)
    elif action in ("list", "") and len(args) <= 1:
        coupons = await get_coupons(context.db, community.id)
        if not coupons:
            await reply(update, context, "coupon.list_empty")
            return
        lines = [context.t("coupon.list_title")] + [list_line(context.t, c) for c in coupons]
        await update.effective_message.reply_text("\n".join(lines), do_quote=True)
    else:
        raise Usage("coupon.usage")


# --- members ------------------------------------------------------------------------------


async def _read_press(update: Update, context: CustomContext) -> Press | None:
    query = update.callback_query
    press = COUPON_DATA.decode(query.data)
    if press is None:
        await query.answer(context.t("content.stale"), show_alert=True)
        return None
    if query.message is None or query.message.chat.type != ChatType.PRIVATE:
        await query.answer(context.t("content.open_in_private"), show_alert=True)
        return None
    return press


async def ask_code(update: Update, context: CustomContext) -> int:
    """"Have a code?": ask the member to send it (the next text they send in private)."""
    press = await _read_press(update, context)
    if press is None:
        return ConversationHandler.END
    context.user_data[TARGET] = (KIND_OF[press.action], press.args[0])
    await update.callback_query.answer()
    await context.bot.send_message(update.effective_user.id, context.t("coupon.ask"))
    return CODE


async def take_code(update: Update, context: CustomContext) -> int:
    """Apply the code the member sent: show the discounted price with a pay button, or why not."""
    kind, target_id = context.user_data.pop(TARGET, ("item", 0))
    try:
        offer = await _offer(context, update, kind, target_id, update.effective_message.text or "")
    except DomainError as error:
        await reply(update, context, error.key, **error.params)
        return ConversationHandler.END
    await _send_offer(update, context, offer)
    return ConversationHandler.END


async def cancel_code(update: Update, context: CustomContext) -> int:
    """/cancel while a code is awaited."""
    context.user_data.pop(TARGET, None)
    await reply(update, context, "coupon.cancelled")
    return ConversationHandler.END


async def open_coupon_link(update: Update, context: CustomContext, payload: StartPayload) -> None:
    """Answer /start item_<id>_<code>: the offer, or why the code does not apply and the usual card."""
    item_id = payload.id or 0
    try:
        offer = await _offer(context, update, "item", item_id, payload.code or "")
    except DomainError as error:
        await reply(update, context, error.key, **error.params)
        await content.open_item_link(update, context, StartPayload(ITEM, item_id))
        return
    await _send_offer(update, context, offer)


async def pay_with_coupon(update: Update, context: CustomContext) -> None:
    """The offer's pay button: the invoice at the discounted price (the coupon is checked again)."""
    press = await _read_press(update, context)
    if press is None:
        return
    target_id, coupon_id = press.args
    if press.action == "d":
        await payments.send_item_invoice(update, context, target_id, coupon_id)
    else:
        await payments.press_plan(update, context, target_id, coupon_id)


async def _offer(context: CustomContext, update: Update, kind: str, target_id: int, code: str) -> CouponOffer:
    if kind == "plan":
        return await get_plan_offer(context.db, context.clock, target_id, user_info(update), code)
    return await get_item_offer(
        context.db, context.clock, context.settings.points.levels, target_id, user_info(update), code
    )


async def _send_offer(update: Update, context: CustomContext, offer: CouponOffer) -> None:
    await update.effective_message.reply_text(
        offer_text(context.t, offer), reply_markup=offer_keyboard(context.t, offer)
    )


START_ROUTES = {ITEM_CODE: open_coupon_link}


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers (its /start route is START_ROUTES)."""
    with warnings.catch_warnings():
        # The code is the member's next private message, not a press on one message.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        conversation = ConversationHandler(
            entry_points=[CallbackQueryHandler(ask_code, pattern=COUPON_DATA.pattern("k", "h"))],
            states={CODE: [MessageHandler(ANSWER, take_code)]},
            fallbacks=[command("cancel", cancel_code, only=filters.ChatType.PRIVATE)],
            allow_reentry=True,
            name="coupon",
        )
    return [
        conversation,
        CallbackQueryHandler(pay_with_coupon, pattern=COUPON_DATA.pattern("d", "e")),
        command("coupon", manage_coupons),
    ]


__all__ = ["START_ROUTES", "build_handlers"]
