"""/start and /help in private chats and in groups; the one place /start payloads are routed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from telegram import Update
from telegram.ext import BaseHandler, filters

from bot.commands import GROUP, PRIVATE, commands_for
from bot.context import CustomContext
from bot.links import PUBLISH, StartPayload, bot_link, decode_start, start_command
from bot.services.communities import do_start_user
from handlers.common import command, is_group, load_community, reply, sender_is_admin, user_info

# Answers /start with a decoded payload; each feature exports its routes as START_ROUTES.
StartRoute = Callable[[Update, CustomContext, StartPayload], Awaitable[None]]
Overview = Callable[[Update, CustomContext], Awaitable[None]]
# /start publish opens the publishing conversation, which owns that payload.
CONVERSATION_PAYLOADS = (PUBLISH,)


def start_router(
    routes: Mapping[str, StartRoute], overview: Overview
) -> Callable[[Update, CustomContext], Awaitable[None]]:
    """Return the private /start handler: record the start, then follow the deep link or show the overview."""

    async def start_private(update: Update, context: CustomContext) -> None:
        await do_start_user(context.db, context.clock, user_info(update))
        payload = decode_start(context.args[0]) if len(context.args or ()) == 1 else None
        route = routes.get(payload.kind) if payload is not None else None
        if route is None:  # a plain /start, or a link the bot never made
            await overview(update, context)
            return
        await route(update, context, payload)

    return start_private


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
    await update.effective_message.reply_text("\n".join(lines))


def build_handlers(routes: Mapping[str, StartRoute], overview: Overview) -> list[BaseHandler]:
    """Return /start (routed by payload, see bot.links) and /help."""
    private = filters.ChatType.PRIVATE & ~filters.Regex(start_command(*CONVERSATION_PAYLOADS))
    return [
        command("start", start_router(routes, overview), only=private),
        command("start", start_group, only=filters.ChatType.GROUPS),
        command("help", show_help),
    ]
