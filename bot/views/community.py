"""The bot in a group: its greeting when added, and warnings to the admins."""

from __future__ import annotations

from typing import Any

from bot.i18n import Raw
from bot.views.base import NoticeEnv, NoticeRenderer, Rendered, listing

# Catalog keys per admin right the bot asks for.
RIGHT_NAMES = {
    "can_delete_messages": "right.can_delete_messages",
    "can_restrict_members": "right.can_restrict_members",
    "can_invite_users": "right.can_invite_users",
}
# What admins are told when a gate can't work, per gate.
GATE_WARNINGS = {"rules": "gate.warn.rules", "request": "gate.warn.request"}


def render_greeting(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """The greeting when the bot is added, with the admin rights it still lacks."""
    text = env.t("greet.group", title=params["title"], bot_name=f"@{env.bot_username}")
    missing = [r for r in params["missing_rights"] if r in RIGHT_NAMES]
    if missing:
        names = listing(env, (env.t(RIGHT_NAMES[r]) for r in missing))
        note = env.t("greet.rights_missing", rights=Raw(names))
    else:
        note = env.t("greet.rights_ok")
    return Rendered(f"{text}\n\n{note}")


def render_gate_warning(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Tell the admins a gate can't work for lack of a right."""
    return Rendered(env.t(GATE_WARNINGS[params["gate"]]))


NOTICES: dict[str, NoticeRenderer] = {
    "community/greeting": render_greeting,
    "community/gate_warning": render_gate_warning,
}
