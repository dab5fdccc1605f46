"""Points texts: level names, badge labels, and the level-up and badge announcements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.i18n import Translator
from bot.views.base import NoticeEnv, NoticeRenderer, Rendered, mention

# Catalog keys of the built-in level names, by level.
LEVEL_NAMES = {
    1: "level.name.1", 2: "level.name.2", 3: "level.name.3", 4: "level.name.4", 5: "level.name.5",
    6: "level.name.6", 7: "level.name.7", 8: "level.name.8", 9: "level.name.9",
}
# Catalog keys per badge: its label and why it is given.
BADGE_LABELS = {
    "newcomer": "badge.newcomer", "curious": "badge.curious", "helper": "badge.helper",
    "mentor": "badge.mentor", "on_fire": "badge.on_fire", "supporter": "badge.supporter",
}
BADGE_REASONS = {
    "newcomer": "badge.why.newcomer", "curious": "badge.why.curious", "helper": "badge.why.helper",
    "mentor": "badge.why.mentor", "on_fire": "badge.why.on_fire", "supporter": "badge.why.supporter",
}


def level_name(t: Translator, lang: str, level: int, names: Sequence[str] = ()) -> str:
    """Return a level's display name: configured names win, else the translated defaults."""
    if names and 1 <= level <= len(names):
        return names[level - 1]
    if level in LEVEL_NAMES:
        return t(lang, LEVEL_NAMES[level])
    return t(lang, "level.name.other", level=level)


def badge_label(t: Translator, lang: str, badge: str) -> str:
    """Return a badge's emoji and name in a language."""
    return t(lang, BADGE_LABELS[badge]) if badge in BADGE_LABELS else badge


def render_level_ups(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Announce who reached which level, one line each, and how many more."""
    names = env.settings.points.level_names
    lines = [
        env.t(
            "points.level_up", mention=mention(user_id, name), level=level,
            name=level_name(env.translator, env.lang, level, names),
        )
        for user_id, name, level in params["ups"]
    ]
    if params.get("more"):
        lines.append(env.t("points.level_up_more", count=params["more"]))
    return Rendered("\n".join(lines))


def render_badge(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Announce a badge once in the group."""
    badge = params["badge"]
    return Rendered(env.t(
        "badge.announce", mention=mention(params["user_id"], params["name"]),
        badge=badge_label(env.translator, env.lang, badge), why=env.t(BADGE_REASONS[badge]),
    ))


NOTICES: dict[str, NoticeRenderer] = {
    "points/level_ups": render_level_ups,
    "points/badge": render_badge,
}
