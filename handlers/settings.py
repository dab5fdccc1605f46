"""/settings and /set for community admins."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import CustomContext
from bot.errors import Usage
from bot.services.community_options import get_options
from bot.services.points_rules import PREFIX as POINTS_PREFIX
from bot.services.points_rules import do_set_points_rule
from bot.services.settings import do_set_setting, get_settings, usage_key
from handlers.common import reply, require_admin, require_community
from handlers.points import points_settings

PREVIEW_CHARS = 60


async def show_settings(update: Update, context: CustomContext) -> None:
    """Show the community's settings to an admin."""
    community = await require_community(update, context)
    await require_admin(update, context)
    current = await get_settings(context.db, community.id)
    options = await get_options(context.db, community.id, context.settings.onboarding)
    sections = [
        context.t(
            "settings.show",
            title=current.title,
            language=current.language,
            timezone=current.timezone,
            members=current.members,
            admins=current.admins,
        ),
        context.t(
            "settings.onboarding",
            welcome=_preview(context, options.welcome),
            rules=_preview(context, options.rules),
            tags=_preview(context, ", ".join(options.tags)),
            gate=options.gate,
            gate_timeout=options.gate_timeout,
        ),
        await points_settings(context, community.id),
        context.t("settings.hint"),
    ]
    await update.effective_message.reply_text("\n\n".join(sections), parse_mode=ParseMode.HTML, do_quote=True)


def _preview(context: CustomContext, value: object) -> str:
    """Return a short one-line form of a setting's value ('default' when unset)."""
    if value is None or value == "":
        return context.t("settings.default")
    if isinstance(value, list):
        value = ", ".join(value)
    text = " ".join(str(value).split())
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


async def change_setting(update: Update, context: CustomContext) -> None:
    """Change one setting: /set <key> <value>."""
    community = await require_community(update, context)
    await require_admin(update, context)
    # The raw text, not context.args: welcome and rules keep their line breaks.
    parts = (update.effective_message.text or "").split(None, 2)
    if len(parts) < 2:
        raise Usage("set.usage")
    key = parts[1].lower()
    if len(parts) < 3:
        raise Usage(usage_key(key))
    if key.startswith(POINTS_PREFIX):
        value = await do_set_points_rule(
            context.db, context.services.scoring, context.clock, community.id, update.effective_user.id, key, parts[2]
        )
        await reply(update, context, "set.done", key=key, value=value)
        return
    stored = await do_set_setting(context.db, context.clock, community.id, update.effective_user.id, key, parts[2])
    if key == "language":
        context.lang = stored
    await reply(update, context, "set.done", key=key, value=_preview(context, stored))
    if key == "gate":
        problem = await context.services.gateway.missing_gate_right(community.id, community.chat_type, stored)
        if problem is not None:
            await reply(update, context, problem)


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers."""
    return [
        CommandHandler("settings", show_settings, filters=filters.ChatType.GROUPS),
        CommandHandler("set", change_setting, filters=filters.ChatType.GROUPS),
    ]
