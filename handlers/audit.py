"""/audit: the community's admin actions, newest first, paged with buttons (sent to the admin in private)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import CustomContext
from bot.errors import Usage
from bot.services.audit import get_audit_page
from bot.services.communities import get_community
from bot.views.audit import PAGE_PATTERN, audit_markup, audit_text
from bot.views.base import Texts
from handlers.common import command
from handlers.console import console_private, deliver_to_admin
from handlers.qa_common import edit_quietly


async def show_audit(update: Update, context: CustomContext) -> None:
    """/audit: the latest admin actions of the community (who, what, when, to whom)."""
    community = await console_private(update, context)
    if context.args:
        raise Usage("audit.usage")
    page = await get_audit_page(context.db, community.id)

    async def send(chat_id: int, say: Texts) -> None:
        await context.bot.send_message(chat_id, audit_text(say, community.title, page, community.timezone),
                                       reply_markup=audit_markup(say, community.id, page))

    await deliver_to_admin(update, context, community, send)


async def turn_audit_page(update: Update, context: CustomContext) -> None:
    """Newer / Older under an /audit page: only for that community's admins, only in private."""
    query = update.callback_query
    match = PAGE_PATTERN.match(query.data)
    community_id, offset = int(match[1]), int(match[2])
    community = await get_community(context.db, community_id)
    private = query.message is not None and query.message.chat.type == ChatType.PRIVATE
    if not private or community is None or not await context.services.admins.is_admin(community_id, query.from_user.id):
        await query.answer(context.t("error.admins_only"), show_alert=True)
        return
    page = await get_audit_page(context.db, community_id, offset)
    await edit_quietly(context, query.message.chat.id, query.message.message_id,
                       audit_text(context, community.title, page, community.timezone),
                       audit_markup(context, community_id, page))
    await query.answer()


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers."""
    return [command("audit", show_audit), CallbackQueryHandler(turn_audit_page, pattern=PAGE_PATTERN)]
