"""Paid questions: their buttons (one encode/decode helper), texts and the private notices."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Raw
from bot.services.paid_questions import Offer
from bot.views.base import NoticeEnv, NoticeRenderer, Rendered, Texts
from bot.views.content import short

Action = Literal["c", "a", "d", "p", "k"]
# c: ask in this community (value: question, community); a/d: Answer/Decline (admins);
# p/k: post to the group / keep private (the asker).
PATTERN = re.compile(r"^pq:(?:c:(\d{1,12}):(-?\d{1,20})|([adpk]):(\d{1,12}))$")
BUTTON_TITLE_CHARS = 32


@dataclass(frozen=True)
class PaidButton:
    """What a paid-question button asks for; nothing in it is trusted beyond its shape."""

    action: Action
    question_id: int
    community_id: int | None = None

    def encode(self) -> str:
        """Return the callback data (well under Telegram's 64 bytes)."""
        if self.action == "c":
            return f"pq:c:{self.question_id}:{self.community_id}"
        return f"pq:{self.action}:{self.question_id}"


def decode(data: str | None) -> PaidButton | None:
    """Parse callback data made by PaidButton.encode; None for anything else."""
    match = PATTERN.match(data or "")
    if match is None:
        return None
    if match.group(1) is not None:
        return PaidButton("c", int(match.group(1)), int(match.group(2)))
    return PaidButton(match.group(3), int(match.group(4)))  # type: ignore[arg-type]


def _button(text: str, pressed: PaidButton) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pressed.encode())


def offers_markup(context: Texts, question_id: int, offers: list[Offer]) -> InlineKeyboardMarkup:
    """Return one button per community the member may ask."""
    return InlineKeyboardMarkup([
        [_button(context.t("paidq.btn.community", title=Raw(str(short(o.community.title, BUTTON_TITLE_CHARS))),
                           stars=o.price), PaidButton("c", question_id, o.community.id))]
        for o in offers
    ])


def admin_markup(t: Texts, question_id: int) -> InlineKeyboardMarkup:
    """Return the Answer / Decline buttons under a paid question sent to an admin."""
    return InlineKeyboardMarkup([[_button(t.t("paidq.btn.answer"), PaidButton("a", question_id)),
                                  _button(t.t("paidq.btn.decline"), PaidButton("d", question_id))]])


def consent_markup(t: Texts, question_id: int) -> InlineKeyboardMarkup:
    """Return the asker's Post to the group / Keep private buttons under an answer."""
    return InlineKeyboardMarkup([[_button(t.t("paidq.btn.post"), PaidButton("p", question_id)),
                                  _button(t.t("paidq.btn.keep"), PaidButton("k", question_id))]])


# --- notices in private -----------------------------------------------------------------


def render_asked(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Hand an admin a paid question, with Answer / Decline."""
    text = env.t("paidq.notify.asked", name=params["name"], title=params["title"], amount=params["amount"],
                 text=params["text"], deadline=params["deadline"])
    return Rendered(text, admin_markup(env, params["question"]))


def render_sent(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Tell the asker their paid question reached the admins, and until when they may answer."""
    return Rendered(env.t("paidq.notify.sent", title=params["title"], amount=params["amount"],
                          deadline=params["deadline"]))


def render_answered(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Deliver the answer to the asker, with the choice to post it to the group."""
    text = env.t("paidq.notify.answered", name=params["name"], title=params["title"], text=params["text"],
                 answer=params["answer"])
    return Rendered(text, consent_markup(env, params["question"]))


NOTICES: dict[str, NoticeRenderer] = {
    "paidq/asked": render_asked,
    "paidq/sent": render_sent,
    "paidq/answered": render_answered,
}
