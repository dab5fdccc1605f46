"""/start and /help in private chats and in groups."""

from __future__ import annotations

import re

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.commands import GROUP, PRIVATE, commands_for
from bot.context import CustomContext
from bot.i18n import Raw
from bot.services.communities import do_start_user, get_community
from handlers.common import is_group, load_community, reply, sender_is_admin, user_info

JOIN_PAYLOAD = re.compile(r"^join_(-?\d{1,20})$")


async def start_private(update: Update, context: CustomContext) -> None:
    """Greet a user in private: a deep link's community, else their communities."""
    user, communities = await do_start_user(context.db, context.clock, user_info(update))
    name = update.effective_user.first_name
    match = JOIN_PAYLOAD.match(context.args[0]) if context.args else None
    if match:
        community = await get_community(context.db, int(match.group(1)))
        if community is None:
            await reply(update, context, "start.join.unknown")
            return
        await reply(update, context, "start.join.welcome", title=community.title, name=name)
        return
    if not communities:
        await reply(update, context, "start.private.none", name=name)
        return
    lines = [context.t("start.private.list", name=name)]
    for community, _membership in communities:
        lines.append(
            context.t("start.private.item", title=community.title, step=Raw(context.t("start.step.explore")))
        )
    await update.effective_message.reply_text("\n".join(lines), parse_mode=ParseMode.HTML)


async def start_group(update: Update, context: CustomContext) -> None:
    """Answer /start in a group with a pointer to /help and the private chat."""
    await load_community(update, context)
    await reply(update, context, "start.group", link=f"https://t.me/{context.bot.username}")


async def show_help(update: Update, context: CustomContext) -> None:
    """List the commands this user may use in this chat."""
    if is_group(update):
        await load_community(update, context)
        admin = await sender_is_admin(update, context)
        title_key = "help.group.admin" if admin else "help.group.member"
        commands = commands_for(GROUP, admin=admin)
    else:
        title_key = "help.private"
        commands = commands_for(PRIVATE, admin=False)
    lines = [context.t(title_key)]
    lines += [
        context.t("help.line", command=c.name, description=context.t(c.description_key)) for c in commands
    ]
    await update.effective_message.reply_text("\n".join(lines), parse_mode=ParseMode.HTML)


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers."""
    return [
        CommandHandler("start", start_private, filters=filters.ChatType.PRIVATE),
        CommandHandler("start", start_group, filters=filters.ChatType.GROUPS),
        CommandHandler("help", show_help),
    ]
