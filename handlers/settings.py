"""/settings and /set for community admins."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import CustomContext
from bot.errors import Usage
from bot.services.settings import do_set_setting, get_settings
from handlers.common import reply, require_admin, require_community


async def show_settings(update: Update, context: CustomContext) -> None:
    """Show the community's settings to an admin."""
    community = await require_community(update, context)
    await require_admin(update, context)
    current = await get_settings(context.db, community.id)
    await reply(
        update,
        context,
        "settings.show",
        title=current.title,
        language=current.language,
        timezone=current.timezone,
        members=current.members,
        admins=current.admins,
    )


async def change_setting(update: Update, context: CustomContext) -> None:
    """Change one setting: /set <key> <value>."""
    community = await require_community(update, context)
    await require_admin(update, context)
    if len(context.args) < 2:
        raise Usage("set.usage")
    key, value = context.args[0].lower(), " ".join(context.args[1:])
    stored = await do_set_setting(context.db, context.clock, community.id, update.effective_user.id, key, value)
    if key == "language":
        context.lang = stored
    await reply(update, context, "set.done", key=key, value=stored)


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers."""
    return [
        CommandHandler("settings", show_settings, filters=filters.ChatType.GROUPS),
        CommandHandler("set", change_setting, filters=filters.ChatType.GROUPS),
    ]
