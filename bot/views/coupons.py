"""How coupons look: the "Have a code?" buttons, a member's offer, and the admins' list."""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Raw
from bot.services.coupons import CouponOffer
from bot.views.button_data import ButtonData
from storage.models_coupons import Coupon

T = Callable[..., str]
# cp:k:<item> / cp:h:<plan>: ask for a code; cp:d:<item>:<coupon> / cp:e:<plan>:<coupon>: pay with it.
COUPON_DATA = ButtonData("cp", {"k": 1, "h": 1, "d": 2, "e": 2})
ASK = {"item": "k", "plan": "h"}
PAY = {"item": "d", "plan": "e"}
KIND_OF = {"k": "item", "h": "plan", "d": "item", "e": "plan"}


def code_button(t: T, kind: str, target_id: int) -> InlineKeyboardButton:
    """The "Have a code?" button of an item card or a plan."""
    return InlineKeyboardButton(t("coupon.btn.have_code"), callback_data=COUPON_DATA.encode(ASK[kind], target_id))


def offer_text(t: T, offer: CouponOffer) -> str:
    """What a code does to the price, for the member who applied it."""
    key = "coupon.offer_plan" if offer.target.kind == "plan" else "coupon.offer_item"
    return t(key, code=offer.coupon.code, title=offer.target.title, price=offer.target.price, stars=offer.price)


def offer_keyboard(t: T, offer: CouponOffer) -> InlineKeyboardMarkup:
    """One button that makes the discounted invoice."""
    data = COUPON_DATA.encode(PAY[offer.target.kind], offer.target.id, offer.coupon.id)
    return InlineKeyboardMarkup([[InlineKeyboardButton(t("coupon.btn.pay", stars=offer.price), callback_data=data)]])


def value_text(t: T, coupon: Coupon) -> str:
    """−20% or −⭐ 50."""
    if coupon.percent is not None:
        return t("coupon.value_percent", percent=coupon.percent)
    return t("coupon.value_stars", stars=coupon.stars_off or 0)


def list_line(t: T, coupon: Coupon) -> str:
    """One coupon in /coupon list: code, value, uses, last day, what it applies to."""
    parts = [value_text(t, coupon)]
    if coupon.max_uses is not None:
        parts.append(t("coupon.uses_of", uses=coupon.uses, max=coupon.max_uses))
    else:
        parts.append(t("coupon.uses", uses=coupon.uses, count=coupon.uses))
    if coupon.valid_until is not None:
        parts.append(t("coupon.until", until=coupon.valid_until.strftime("%Y-%m-%d %H:%M UTC")))
    if coupon.item_id is not None:
        parts.append(t("coupon.for_item", id=coupon.item_id))
    elif coupon.plan_id is not None:
        parts.append(t("coupon.for_plan", id=coupon.plan_id))
    return t("coupon.list_line", code=coupon.code, details=Raw(" · ".join(parts)))
