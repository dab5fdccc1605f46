"""How the self-service refund window looks: /mycontent's refund buttons, the confirmation, the creator's notice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.self_refunds import Refundable
from bot.views.base import NoticeEnv, NoticeRenderer, Rendered
from bot.views.button_data import ButtonData
from bot.views.content import short

T = Callable[..., str]
# rf:a:<payment>: ask to confirm; rf:y:<payment>: refund it.
REFUND_DATA = ButtonData("rf", {"a": 1, "y": 1})
MAX_BUTTONS = 20


def _label(t: T, refundable: Refundable) -> str:
    payment = refundable.payment
    if payment.kind == "plan":
        return t("selfrefund.btn.plan", title=short(refundable.title))
    return t("selfrefund.btn.item", id=payment.item_id or 0, title=short(refundable.title))


def refund_rows(t: T, refundables: list[Refundable]) -> list[list[InlineKeyboardButton]]:
    """One refund button per purchase still inside the window."""
    return [
        [InlineKeyboardButton(_label(t, r), callback_data=REFUND_DATA.encode("a", r.payment.id))]
        for r in refundables[:MAX_BUTTONS]
    ]


def confirm_text(t: T, refundable: Refundable) -> str:
    """Ask before refunding: what, how much, and that access ends."""
    payment = refundable.payment
    key = "selfrefund.confirm_plan" if payment.kind == "plan" else "selfrefund.confirm_item"
    return t(key, title=refundable.title, amount=payment.amount, until=refundable.until.strftime("%Y-%m-%d %H:%M UTC"))


def confirm_keyboard(t: T, refundable: Refundable) -> InlineKeyboardMarkup:
    """The one button that refunds."""
    data = REFUND_DATA.encode("y", refundable.payment.id)
    return InlineKeyboardMarkup([[InlineKeyboardButton(t("selfrefund.btn.yes"), callback_data=data)]])


def render_creator_notice(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Tell the creator (for a membership, the admins) that a buyer refunded a purchase."""
    key = "selfrefund.creator_plan" if params["paid_for"] == "plan" else "selfrefund.creator_item"
    return Rendered(env.t(key, buyer=params["buyer"], title=params["title"], amount=params["amount"]))


NOTICES: dict[str, NoticeRenderer] = {"refunds/self_creator": render_creator_notice}
