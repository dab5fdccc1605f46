"""The self-service refund window: /mycontent's refund buttons, a confirmation, then the refund."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import CustomContext
from bot.errors import DomainError
from bot.services.self_refunds import get_refundable, do_self_refund
from bot.views.self_refunds import REFUND_DATA, confirm_keyboard, confirm_text


async def press_refund(update: Update, context: CustomContext) -> None:
    """Ask to confirm a refund (rf:a), or refund (rf:y); the window's rules are checked on the server."""
    query = update.callback_query
    press = REFUND_DATA.decode(query.data)
    if press is None or query.message is None or query.message.chat.type != ChatType.PRIVATE:
        await query.answer(context.t("content.stale"), show_alert=True)
        return
    services = context.services
    payment_id = press.args[0]
    if press.action == "a":
        refundable = next((r for r in await get_refundable(services.refunds, context.settings, query.from_user.id)
                           if r.payment.id == payment_id), None)
        if refundable is None:
            raise DomainError("selfrefund.not_refundable")
        await query.answer()
        markup = confirm_keyboard(context.t, refundable)
        await context.bot.send_message(query.from_user.id, confirm_text(context.t, refundable), reply_markup=markup)
        return
    payment = await do_self_refund(services.refunds, context.settings, query.from_user.id, payment_id)
    await query.answer(context.t("selfrefund.done", amount=payment.amount))
    await query.edit_message_text(context.t("selfrefund.done", amount=payment.amount))


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers (the buttons are added to /mycontent by handlers.content)."""
    return [CallbackQueryHandler(press_refund, pattern=REFUND_DATA.pattern())]
