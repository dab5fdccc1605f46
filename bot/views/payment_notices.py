"""Payment notices in private: thanks, a membership's new expiry, refunds."""

from __future__ import annotations

from typing import Any

from bot.views.base import NoticeEnv, NoticeRenderer, Rendered

# Why a payment was refunded → what the buyer reads (admin refunds differ for items and plans).
REFUND_TEXTS = {
    ("admin", "item"): "refund.notice",
    ("admin", "plan"): "refund.notice_plan",
    ("owned", "item"): "refund.auto.owned",
    ("order_paid", "item"): "refund.auto.order_paid",
    ("orphan", "item"): "refund.auto.orphan",
}


def render_thanks(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Thank the buyer of an item."""
    return Rendered(env.say("pay.thanks", title=params["title"], amount=params["amount"]))


def render_membership(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Confirm a membership payment and the new expiry."""
    return Rendered(env.say(
        "subscribe.active_until", title=params["title"], until=params["until"], amount=params["amount"]
    ))


def render_refund(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Tell the buyer a payment was refunded, and why."""
    reason, kind = params["reason"], params["paid_for"]
    key = REFUND_TEXTS.get((reason, kind)) or REFUND_TEXTS.get((reason, "item"), "refund.notice")
    return Rendered(env.say(key, amount=params["amount"], title=params["title"]))


NOTICES: dict[str, NoticeRenderer] = {
    "payments/thanks": render_thanks,
    "payments/membership": render_membership,
    "payments/refunded": render_refund,
}
