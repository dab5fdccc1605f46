"""The buttons under a digest: "Stop these" turns the presser's own digest off."""

from __future__ import annotations

import re

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import CustomContext
from bot.services.settings import do_set_member_setting
from bot.views.digests import STOP
from handlers.common import user_info


async def stop_digests(update: Update, context: CustomContext) -> None:
    """Turn off the daily digest of whoever pressed (digests live in private chats only)."""
    query = update.callback_query
    if query.message is None or query.message.chat.type != ChatType.PRIVATE:
        await query.answer(context.t("fallback.stale_button"), show_alert=True)
        return
    await do_set_member_setting(context.db, context.clock, user_info(update), "digest", "off")
    await query.answer(context.t("digest.stopped"), show_alert=True)


def build_handlers() -> dict[int, list[BaseHandler]]:
    """Return this feature's handlers by handler group."""
    return {0: [CallbackQueryHandler(stop_digests, pattern=re.compile(rf"^{STOP}$"))]}
