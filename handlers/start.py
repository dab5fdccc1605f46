"""/start and /help in private chats and in groups."""

from __future__ import annotations

import re

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.commands import GROUP, PRIVATE, commands_for
from bot.context import CustomContext
from bot.links import bot_link
from bot.services.communities import do_start_user
from handlers import onboarding
from handlers.common import is_group, load_community, reply, sender_is_admin, user_info

JOIN_PAYLOAD = re.compile(r"^join_(-?\d{1,20})$")


async def start_private(update: Update, context: CustomContext) -> None:
    """Greet a user in private: a deep link starts (or resumes) onboarding, else list their communities."""
    await do_start_user(context.db, context.clock, user_info(update))
    match = JOIN_PAYLOAD.match(context.args[0]) if context.args else None
    if match:
        await onboarding.start_onboarding(update, context, int(match.group(1)))
        return
    await onboarding.show_overview(update, context)


async def start_group(update: Update, context: CustomContext) -> None:
    """Answer /start in a group with a pointer to /help and the private chat."""
    await load_community(update, context)
    await reply(update, context, "start.group", link=bot_link(context.bot.username))


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
