"""The creator's console: admin commands in the private chat, on the community the admin picked.

`console_community` is what every admin command calls: in a group it is that group's community
(the sender must be one of its admins); in private it is the admin's only community, or the one
they picked with the buttons (`/community` switches), checked against its admin list every time.
Commands whose output holds member data start with `console_private` (in a group, an admin who
has not started the bot is told how to, and nothing is done) and answer through `deliver_to_admin`,
which sends to the admin's private chat; in a group only "sent to you in private" is posted.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden
from telegram.ext import ApplicationHandlerStop, BaseHandler, CallbackQueryHandler, filters

from bot.context import CustomContext
from bot.errors import NotAdmin
from bot.links import bot_link
from bot.services.communities import get_community, get_reachable
from bot.services.console import do_choose_console, get_console_choice
from bot.services.content import get_user_communities
from bot.services.notices import get_private_language
from bot.views.base import Reader, Texts
from storage.models import Community
from handlers.common import command, is_group, reply, require_admin, require_community, require_person

PICK = "cm"  # callback data: cm:<community id>
PICK_PATTERN = re.compile(rf"^{PICK}:(-?\d{{1,20}})$")



async def admin_communities(update: Update, context: CustomContext) -> list[Community]:
    """Return the communities the sender administers (checked against Telegram's admin lists)."""
    user_id = update.effective_user.id
    return [c for c in await get_user_communities(context.db, user_id)
            if await context.services.admins.is_admin(c.id, user_id)]


async def console_community(update: Update, context: CustomContext) -> Community:
    """Return the community an admin command works on; raise NotAdmin, or ask which one and stop."""
    if is_group(update):
        community = await require_community(update, context)
        await require_admin(update, context)
        return community
    communities = await admin_communities(update, context)
    if not communities:
        raise NotAdmin()
    if len(communities) == 1:
        return communities[0]
    chosen = await get_console_choice(context.db, update.effective_user.id)
    community = next((c for c in communities if c.id == chosen), None)
    if community is not None:
        return community
    await _show_picker(update, context, communities, "console.pick")
    raise ApplicationHandlerStop  # the command is answered: it runs again once a community is picked


async def _show_picker(update: Update, context: CustomContext, communities: list[Community], key: str) -> None:
    rows = [[InlineKeyboardButton(c.title, callback_data=f"{PICK}:{c.id}")] for c in communities]
    await update.effective_message.reply_text(context.t(key), reply_markup=InlineKeyboardMarkup(rows))


async def switch_community(update: Update, context: CustomContext) -> None:
    """/community (private): which community the admin commands here work on, with buttons to switch."""
    communities = await admin_communities(update, context)
    if not communities:
        raise NotAdmin()
    if len(communities) == 1:
        await reply(update, context, "console.only", title=communities[0].title)
        return
    chosen = await get_console_choice(context.db, update.effective_user.id)
    current = next((c for c in communities if c.id == chosen), None)
    key = "console.current" if current else "console.pick"
    rows = [[InlineKeyboardButton(("✅ " if c is current else "") + c.title, callback_data=f"{PICK}:{c.id}")]
            for c in communities]
    await update.effective_message.reply_text(
        context.t(key, title=current.title if current else ""), reply_markup=InlineKeyboardMarkup(rows)
    )


async def pick_community(update: Update, context: CustomContext) -> None:
    """A picker button: remember the community if the presser administers it (checked now, server-side)."""
    query = update.callback_query
    community_id = int(PICK_PATTERN.match(query.data)[1])
    community = await get_community(context.db, community_id)
    private = query.message is not None and query.message.chat.type == "private"
    if not private or community is None or not await context.services.admins.is_admin(community_id, query.from_user.id):
        await query.answer(context.t("error.admins_only"), show_alert=True)
        return
    await do_choose_console(context.db, context.clock, query.from_user.id, community_id)
    await query.answer()
    await query.edit_message_text(context.t("console.chosen", title=community.title))


async def console_private(update: Update, context: CustomContext) -> Community:
    """Like console_community, for commands whose output goes to the admin in private."""
    community = await console_community(update, context)
    await require_private_chat(update, context)
    return community


async def require_private_chat(update: Update, context: CustomContext) -> None:
    """In a group, tell an admin who has not started the bot how to, and stop: nothing is done."""
    if not is_group(update):
        return
    require_person(update)  # an anonymous admin has no private chat
    if not await get_reachable(context.db, update.effective_user.id):
        await reply(update, context, "console.start_first", link=bot_link(context.bot.username))
        raise ApplicationHandlerStop


async def deliver_to_admin(
    update: Update, context: CustomContext, community: Community,
    send: Callable[[int, Texts], Awaitable[object]],
) -> None:
    """Run send(chat, texts) for the admin's private chat; in a group post only that it went there."""
    if not is_group(update):
        await send(update.effective_user.id, context)
        return
    user = update.effective_user
    lang = await get_private_language(context.db, user.id, community.id)
    try:
        await send(user.id, Reader(context.services.t, lang))
    except Forbidden:
        await reply(update, context, "console.start_first", link=bot_link(context.bot.username))
        return
    await reply(update, context, "console.sent_privately")


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers."""
    return [
        command("community", switch_community, only=filters.ChatType.PRIVATE),
        CallbackQueryHandler(pick_community, pattern=PICK_PATTERN),
    ]
