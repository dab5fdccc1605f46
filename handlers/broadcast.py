"""/broadcast: an admin's message to every member who wants them, previewed, sent through the outbox."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import CustomContext
from bot.services.broadcasts import (
    OPT_OUT, do_cancel_broadcast, do_draft_broadcast, do_remember_preview, do_send_broadcast, get_broadcast,
    get_progress, parse_broadcast,
)
from bot.services.settings import do_set_member_setting
from bot.views.base import Texts
from bot.views.console import CANCEL, PRESS_PATTERN, STOP, preview, progress
from handlers.common import command, user_info
from handlers.console import console_private, deliver_to_admin
from handlers.qa_common import command_text, edit_quietly


async def draft_broadcast(update: Update, context: CustomContext) -> None:
    """/broadcast <text>: the admin gets a preview in private with Send and Cancel."""
    community = await console_private(update, context)
    text = parse_broadcast(command_text(update))
    broadcast, reach = await do_draft_broadcast(
        context.db, context.clock, context.settings, community.id, update.effective_user.id, text
    )

    async def send(chat_id: int, say: Texts) -> None:
        shown = preview(say, community.title, broadcast, reach)
        message = await context.bot.send_message(chat_id, shown.text, reply_markup=shown.markup)
        await do_remember_preview(context.db, context.clock, broadcast.id, chat_id, message.message_id)

    await deliver_to_admin(update, context, community, send)


async def press_broadcast(update: Update, context: CustomContext) -> None:
    """Send or Cancel under a preview: only its admin, only in private; a second Send sends nothing more."""
    query = update.callback_query
    match = PRESS_PATTERN.match(query.data)
    action, broadcast_id = match[1], int(match[2])
    broadcast = await get_broadcast(context.db, broadcast_id)
    private = query.message is not None and query.message.chat.type == ChatType.PRIVATE
    if not private or not await context.services.admins.is_admin(broadcast.community_id, query.from_user.id):
        await query.answer(context.t("error.admins_only"), show_alert=True)
        return
    if action == CANCEL:
        changed = await do_cancel_broadcast(context.db, context.clock, broadcast_id, query.from_user.id)
    else:
        changed = await do_send_broadcast(context.db, context.clock, context.settings, broadcast_id,
                                          query.from_user.id)
        context.services.outbox.wake()
    if changed is None:
        await query.answer(context.t("broadcast.already"), show_alert=True)
        return
    await query.answer(context.t("broadcast.cancelled_alert" if action == CANCEL else "broadcast.sending_alert"))
    shown = progress(context, changed, await get_progress(context.db, changed))
    await edit_quietly(context, query.message.chat.id, query.message.message_id, shown.text, shown.markup)


async def stop_broadcasts(update: Update, context: CustomContext) -> None:
    """"Stop these" under a broadcast: the presser's own broadcasts preference goes off."""
    query = update.callback_query
    if query.message is None or query.message.chat.type != ChatType.PRIVATE:
        await query.answer(context.t("fallback.stale_button"), show_alert=True)
        return
    await do_set_member_setting(context.db, context.clock, user_info(update), OPT_OUT, "off")
    await query.answer(context.t("broadcast.stopped"), show_alert=True)


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers."""
    return [
        command("broadcast", draft_broadcast),
        CallbackQueryHandler(press_broadcast, pattern=PRESS_PATTERN),
        CallbackQueryHandler(stop_broadcasts, pattern=f"^{STOP}$"),
    ]
