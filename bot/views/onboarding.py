"""Onboarding texts that go out as notices: the batched group welcome."""

from __future__ import annotations

import html
from typing import Any

from bot.i18n import Raw
from bot.links import JOIN, deep_link
from bot.views.base import NoticeEnv, NoticeRenderer, Rendered, listing, mention, url_button


def render_welcome(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Welcome the newcomers of one batch by name, with the button that starts onboarding."""
    users = params["users"]
    limit = env.settings.onboarding.welcome_max_mentions
    names = listing(env, (mention(user_id, name) for user_id, name in users[:limit]))
    if len(users) > limit:
        names += env.t("welcome.more", count=len(users) - limit)
    text = env.t("welcome.greeting", title=params["title"], names=Raw(names))
    welcome = params.get("welcome")
    body = html.escape(welcome, quote=False) if welcome else env.t("welcome.body")
    button = url_button(env.t("welcome.button"), deep_link(env.bot_username, JOIN, params["group"]))
    return Rendered(f"{text}\n\n{body}", button)


NOTICES: dict[str, NoticeRenderer] = {"onboarding/welcome": render_welcome}
