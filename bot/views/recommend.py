"""/recommend: the member's top picks with why, and a button to open, buy or unlock each."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Raw
from bot.services.recommend import Pick
from bot.views.base import Texts
from bot.views.digests import pick_button, pick_reason, price_text


PICK_COMMUNITY = "rc"  # callback data prefix: rc:<community id>


def pick_row(pick: Pick) -> list[object]:
    """A pick in the digest's stored shape."""
    item = pick.item
    return [item.id, item.title, item.price_stars, item.price_points, pick.reason, pick.tag, pick.because]


def recommend_text(t: Texts, title: str, picks: list[Pick]) -> str:
    """The numbered picks with price and reason."""
    if not picks:
        return t.t("recommend.empty", title=title)
    lines = [t.t("recommend.title", title=title)]
    for number, pick in enumerate(picks, start=1):
        row = pick_row(pick)
        lines.append(t.t("recommend.line", number=number, id=pick.item.id, title=pick.item.title,
                         price=Raw(price_text(t, pick.item.price_stars, pick.item.price_points)),
                         why=pick_reason(t, row)))
    return "\n".join(lines)


def recommend_keyboard(t: Texts, picks: list[Pick]) -> InlineKeyboardMarkup | None:
    """One open, buy, unlock or card button per pick."""
    rows = [[pick_button(t, pick_row(pick), unlock=True)] for pick in picks]
    return InlineKeyboardMarkup(rows) if rows else None


def communities_keyboard(communities: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """Which community's picks to show."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(title, callback_data=f"{PICK_COMMUNITY}:{cid}")]
                                 for cid, title in communities])
