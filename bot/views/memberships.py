"""What members read about their paid membership ending: before, at the end, after removal, on the way back."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.links import SUBSCRIBE, deep_link
from bot.views.base import NoticeEnv, NoticeRenderer, Rendered
from bot.views.digests import stop_reminders_button

# The expiring reminder names why the membership won't renew.
EXPIRING_TEXTS = {"canceled": "membership.expiring.canceled", "failed": "membership.expiring.failed",
                  "off": "membership.expiring.off", "trial": "membership.expiring.trial"}
RENEWAL_TEXTS = {"memberships/renewal_canceled": "membership.renewal.canceled",
                 "memberships/renewal_active": "membership.renewal.active",
                 "memberships/renewal_failed": "membership.renewal.failed"}


def _renew_button(env: NoticeEnv, params: dict[str, Any]) -> InlineKeyboardButton:
    """Open the community's plans in this chat (a /start sub_<community> link)."""
    return InlineKeyboardButton(env.t("membership.btn.renew"),
                                url=deep_link(env.bot_username, SUBSCRIBE, params["community"]))


def render_expiring(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Three days before a membership that won't renew ends."""
    key = EXPIRING_TEXTS.get(params["renewal"], EXPIRING_TEXTS["off"])
    markup = InlineKeyboardMarkup([[_renew_button(env, params)], [stop_reminders_button(env, params.get("switch"))]])
    return Rendered(env.t(key, title=params["title"], until=params["until"]), markup)


def render_ended(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """A membership ended: renew, or (where joining needs a plan) be removed at remove_at."""
    if params.get("remove_at"):
        text = env.t("membership.ended.remove", title=params["title"], until=params["until"],
                     remove_at=params["remove_at"])
    else:
        text = env.t("membership.ended", title=params["title"], until=params["until"])
    return Rendered(text, InlineKeyboardMarkup([[_renew_button(env, params)]]))


def render_removed(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Removed after the grace period: renewing lets them back in."""
    return Rendered(env.t("membership.removed", title=params["title"]),
                    InlineKeyboardMarkup([[_renew_button(env, params)]]))


def render_rejoin(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Renewed after a removal: their single-use link back in, or how to ask to join."""
    link = params.get("link")
    if not link:
        return Rendered(env.t("membership.rejoin.request", title=params["title"]))
    button = InlineKeyboardButton(env.t("membership.btn.rejoin", title=params["title"]), url=link)
    return Rendered(env.t("membership.rejoin", title=params["title"]), InlineKeyboardMarkup([[button]]))


def _renewal_renderer(kind: str) -> NoticeRenderer:
    def render(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
        """What Telegram said of the subscription's renewal (cancelled, back on, failed)."""
        text = env.t(RENEWAL_TEXTS[kind], title=params["title"], until=params["until"])
        if kind == "memberships/renewal_active":
            return Rendered(text)
        return Rendered(text, InlineKeyboardMarkup([[_renew_button(env, params)]]))

    return render


NOTICES: dict[str, NoticeRenderer] = {
    "reminders/expiring": render_expiring,
    "memberships/ended": render_ended,
    "memberships/removed": render_removed,
    "memberships/rejoin": render_rejoin,
    **{kind: _renewal_renderer(kind) for kind in RENEWAL_TEXTS},
}
