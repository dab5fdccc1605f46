"""The one error handler: domain errors become short replies, the rest an apology."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.context import CustomContext
from bot.errors import DomainError
from handlers.common import is_group, load_community, use_member_language

log = logging.getLogger(__name__)


async def handle_error(update: object, context: CustomContext) -> None:
    """Tell the user what went wrong in one line; log the details for us."""
    error = context.error
    if isinstance(update, Update):
        update_id = update.update_id
        chat_id = update.effective_chat.id if update.effective_chat else None
        user_id = update.effective_user.id if update.effective_user else None
    else:
        update_id = chat_id = user_id = None
    if isinstance(update, Update):
        # PTB hands the error handler a fresh context: find the reader's language again.
        await _use_reader_language(update, context)
    if isinstance(error, DomainError):
        text = context.t(error.key, **error.params)
    else:
        log.error(
            "update %s failed (chat %s, user %s)", update_id, chat_id, user_id, exc_info=error
        )
        text = context.t("error.generic")
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_message is not None and update.effective_chat.type != "channel":
            await update.effective_message.reply_text(text)
    except Forbidden:
        log.info("user %s blocked the bot; error reply dropped", user_id)
    except TelegramError as exc:
        log.warning("could not send the error reply for update %s: %s", update_id, exc)


async def _use_reader_language(update: Update, context: CustomContext) -> None:
    try:
        if is_group(update):
            await load_community(update, context)
        else:
            await use_member_language(update, context)
    except Exception:  # the database may be what failed: the default language will do
        log.warning("no language for the error reply to update %s", update.update_id, exc_info=True)
