"""/settings and /set: a community's settings for its admins, a member's own preferences in private."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, filters

from bot.context import CustomContext
from bot.errors import Usage
from bot.i18n import Raw
from bot.services.settings import (
    EffectiveSettings,
    do_set_community_setting,
    do_set_member_setting,
    get_community_settings,
    get_member_settings,
    get_overview,
)
from bot.services.settings_registry import COMMUNITY, MEMBER, Setting, find_setting, sections, settings_in
from handlers.common import UpdatesWhen, command, is_group, load_community, reply, takes_member_language
from handlers.common import use_member_language, user_info
from handlers.console import console_community

# `/settings group`, `/set group <name> <value>`: in private, the admin's community rather than their own.
GROUP_WORD = "group"
# Before every feature: private replies are in the member's chosen language.
LANGUAGE_GROUP = -2  # before everything else, the button guard (-1) included


def render_sections(context: CustomContext, scope: str, effective: EffectiveSettings) -> list[str]:
    """Return one block per /settings section of a scope: its title, then one line per setting."""
    blocks = []
    for title, members in sections(scope):
        lines = [context.t(title)]
        lines += [
            context.t("settings.line", label=Raw(context.t(s.label)), value=s.show(effective[s.name], context.t))
            for s in members
        ]
        blocks.append("\n".join(lines))
    return blocks


async def show_settings(update: Update, context: CustomContext) -> None:
    """Show the community's settings to an admin (in private: `/settings group`, the picked community)."""
    community = await console_community(update, context)
    overview = await get_overview(context.db, community.id)
    effective = await get_community_settings(context.db, community.id, context.settings)
    blocks = [
        context.t("settings.title", title=overview.title, members=overview.members, admins=overview.admins),
        *render_sections(context, COMMUNITY, effective),
        context.t("settings.hint"),
    ]
    await update.effective_message.reply_text("\n\n".join(blocks), do_quote=True)


async def show_my_settings(update: Update, context: CustomContext) -> None:
    """Show a member their own preferences (private chat); `/settings group` shows an admin's community's."""
    if [arg.lower() for arg in context.args or []] == [GROUP_WORD]:
        await show_settings(update, context)
        return
    effective = await get_member_settings(context.db, update.effective_user.id, context.settings)
    blocks = [*render_sections(context, MEMBER, effective), context.t("settings.my_hint")]
    await update.effective_message.reply_text("\n\n".join(blocks))


def _command(update: Update, skip: int = 0) -> tuple[str, str | None]:
    """Return the name and the raw value of /set <name> <value> (the value keeps its line breaks).

    skip: words between /set and the name (`/set group <name> <value>` in private).
    """
    parts = (update.effective_message.text or "").split(None, 2 + skip)[skip:]
    name = parts[1].lower() if len(parts) > 1 else ""
    return name, parts[2] if len(parts) > 2 else None


def _listing(context: CustomContext, scope: str) -> Raw:
    return Raw("\n".join(f"/set {s.name} {s.kind.syntax(context.t)}" for s in settings_in(scope)))


def _needs_value(setting: Setting) -> Usage:
    return Usage(setting.usage, **setting.message_params)


async def change_setting(update: Update, context: CustomContext, skip: int = 0) -> None:
    """Change one of the community's settings: /set <name> <value> (in private: on the picked community)."""
    # Every community setting is for admins; unknown names too, so members learn nothing more.
    community = await console_community(update, context)
    name, raw = _command(update, skip)
    setting = find_setting(COMMUNITY, name)
    if setting is None:
        raise Usage("set.usage", names=_listing(context, COMMUNITY))
    if raw is None:
        raise _needs_value(setting)
    stored = await do_set_community_setting(
        context.db, context.clock, community.id, update.effective_user.id, setting.name, raw,
        caches=(context.services.scoring,),
    )
    if is_group(update):
        await load_community(update, context)  # the reply follows a new language at once
    in_force = setting.in_force(stored, context.settings)
    shown = setting.show(in_force, context.t)
    await reply(update, context, "set.done", label=Raw(context.t(setting.label)), value=shown)
    if setting.name == "gate":
        problem = await context.services.gateway.missing_gate_right(community.id, community.chat_type, in_force)
        if problem is not None:
            await reply(update, context, problem)


async def change_my_setting(update: Update, context: CustomContext) -> None:
    """Change one of the sender's own preferences in private: /set <name> <value>.

    `/set group <name> <value>`, or a name only communities have, changes the admin's community's.
    """
    name, raw = _command(update)
    if name == GROUP_WORD:
        await change_setting(update, context, skip=1)
        return
    setting = find_setting(MEMBER, name)
    if setting is None and find_setting(COMMUNITY, name) is not None:
        await change_setting(update, context)
        return
    if setting is None:
        raise Usage("set.my_usage", names=_listing(context, MEMBER))
    if raw is None:
        raise _needs_value(setting)
    stored = await do_set_member_setting(context.db, context.clock, user_info(update), setting.name, raw)
    await use_member_language(update, context)  # the reply follows a new language at once
    shown = setting.show(setting.in_force(stored, context.settings), context.t)
    await reply(update, context, "set.done", label=Raw(context.t(setting.label)), value=shown)


def build_handlers() -> dict[int, list[BaseHandler]]:
    """Return this feature's handlers by handler group."""
    groups, private = filters.ChatType.GROUPS, filters.ChatType.PRIVATE
    return {
        LANGUAGE_GROUP: [UpdatesWhen(use_member_language, takes_member_language)],
        0: [
            command("settings", show_settings, only=groups),
            command("set", change_setting, only=groups),
            command("settings", show_my_settings, only=private),
            command("set", change_my_setting, only=private),
        ],
    }
