"""Answers for what no feature took: every private message and every button press gets one."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.commands import COMMANDS, GROUP, PRIVATE
from bot.context import CustomContext
from handlers.common import NEW_MESSAGE, reply

# Commands that only work in the group (for one of them in private, say where it works).
GROUP_ONLY = frozenset(c.name for c in COMMANDS if GROUP in c.chats) - {c.name for c in COMMANDS if PRIVATE in c.chats}
# What a person can send in private (service messages and payments are the bot's own business).
PRIVATE_MESSAGES = filters.ChatType.PRIVATE & NEW_MESSAGE & ~filters.StatusUpdate.ALL & ~filters.SUCCESSFUL_PAYMENT


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


def build_handlers() -> list[BaseHandler]:
    """Return the last handlers of group 0: they see only what every feature before them let pass."""
    return [
        MessageHandler(PRIVATE_MESSAGES, answer_private),
        CallbackQueryHandler(answer_button),
    ]
