"""Answers for what no feature took (every private message and button press gets one), and the button guard."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.commands import COMMANDS, GROUP, PRIVATE
from bot.context import CustomContext
from handlers.common import NEW_MESSAGE, NOT_STATUS_UPDATE, is_group, load_community, reply

# Runs before every feature's button handlers.
GUARD_GROUP = -1

# Commands that only work in the group (for one of them in private, say where it works).
GROUP_ONLY = frozenset(c.name for c in COMMANDS if GROUP in c.chats) - {c.name for c in COMMANDS if PRIVATE in c.chats}
# What a person can send in private (service messages and payments are the bot's own business).
PRIVATE_MESSAGES = filters.ChatType.PRIVATE & NEW_MESSAGE & NOT_STATUS_UPDATE & ~filters.SUCCESSFUL_PAYMENT


async def answer_private(update: Update, context: CustomContext) -> None:
    """Answer a private message no feature handled: where a command works, or what the bot understands."""
    text = update.effective_message.text or ""
    if not text.startswith("/"):
        await reply(update, context, "fallback.private_text")
        return
    name = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
    if name in GROUP_ONLY:
        await reply(update, context, "error.group_only")
    elif name == "cancel":
        await reply(update, context, "fallback.nothing_to_cancel")
    else:
        await reply(update, context, "fallback.unknown_command")


async def answer_button(update: Update, context: CustomContext) -> None:
    """Answer a press that matches no button the bot makes (old, altered or foreign), so the client stops waiting."""
    await update.callback_query.answer(context.t("fallback.stale_button"), show_alert=True)


async def refuse_foreign_press(update: Update, context: CustomContext) -> None:
    """Refuse a press whose data is not a button of the message it came from (altered or replayed)."""
    query = update.callback_query
    message = query.message
    if not isinstance(message, Message):
        return  # too old for Telegram to show (or an inline message): the features' own checks decide
    markup = message.reply_markup
    buttons = {b.callback_data for row in markup.inline_keyboard for b in row} if markup is not None else set()
    if query.data in buttons:
        return
    if is_group(update):
        await load_community(update, context)
    await query.answer(context.t("fallback.stale_button"), show_alert=True)
    raise ApplicationHandlerStop


def build_guard_handlers() -> list[BaseHandler]:
    """Return the handlers that run before the features' (in GUARD_GROUP)."""
    return [CallbackQueryHandler(refuse_foreign_press)]


def build_handlers() -> list[BaseHandler]:
    """Return the last handlers of group 0: they see only what every feature before them let pass."""
    return [
        MessageHandler(PRIVATE_MESSAGES, answer_private),
        CallbackQueryHandler(answer_button),
    ]
