"""Broadcasts as the admin and the members see them: the preview, the progress, the message itself."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Raw
from bot.services.broadcasts import Progress
from bot.views.base import NoticeEnv, NoticeRenderer, Rendered, Texts
from storage.models import Broadcast

SEND, CANCEL = "s", "c"
PRESS_PATTERN = re.compile(rf"^bc:({SEND}|{CANCEL}):(\d{{1,18}})$")  # bc:s:<id> Send, bc:c:<id> Cancel
STOP = "bc:stop"  # under a broadcast: the member turns broadcasts off


def _text_html(text: str) -> str:
    return escape(text, quote=False)


def preview(say: Texts, title: str, broadcast: Broadcast, reach: int) -> Rendered:
    """The admin's preview: what members will read, how many, Send / Cancel."""
    text = say.t("broadcast.preview", title=title, count=reach, reach=reach) + "\n\n" + _text_html(broadcast.text)
    buttons = [InlineKeyboardButton(say.t("broadcast.btn.send", count=reach, reach=reach),
                                    callback_data=f"bc:{SEND}:{broadcast.id}"),
               InlineKeyboardButton(say.t("broadcast.btn.cancel"), callback_data=f"bc:{CANCEL}:{broadcast.id}")]
    return Rendered(text, InlineKeyboardMarkup([buttons]))


def progress(say: Texts, broadcast: Broadcast, done: Progress) -> Rendered:
    """The preview message, edited as the broadcast goes out: counts, then the end."""
    if broadcast.status == "cancelled":
        head = say.t("broadcast.cancelled", sent=done.sent, total=done.total)
    elif broadcast.status == "done":
        head = say.t("broadcast.done", sent=done.sent, total=done.total)
    else:
        head = say.t("broadcast.sending", sent=done.sent, total=done.total)
    counts = say.t("broadcast.counts", unreachable=done.unreachable, failed=done.failed)
    text = f"{head}\n{counts}\n\n{_text_html(broadcast.text)}"
    if broadcast.status != "sending":
        return Rendered(text)
    cancel = InlineKeyboardButton(say.t("broadcast.btn.stop_sending"), callback_data=f"bc:{CANCEL}:{broadcast.id}")
    return Rendered(text, InlineKeyboardMarkup([[cancel]]))


def render_broadcast(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """What a member reads: the community's name, the admin's text, and how to stop these."""
    text = env.t("broadcast.message", title=params["title"], text=Raw(_text_html(params["text"])))
    button = InlineKeyboardButton(env.t("broadcast.btn.stop_these"), callback_data=STOP)
    return Rendered(text, InlineKeyboardMarkup([[button]]))


NOTICES: dict[str, NoticeRenderer] = {"console/broadcast": render_broadcast}
