"""How paid content looks: catalog lines, item cards, keyboards, the delivered message, payment notices."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Raw
from bot.links import CATALOG, ITEM, deep_link
from bot.services.content import CatalogPage, ItemView
from bot.views.base import NoticeEnv, NoticeRenderer, Rendered
from bot.views.content_data import encode
from bot.views.coupons import code_button
from bot.views.limits import MAX_CAPTION, MAX_TEXT, visible_length
from storage.models_content import ContentItem, Plan

T = Callable[..., str]
BUTTON_TITLE = 40


def short(text: str, limit: int = BUTTON_TITLE) -> Raw:
    """Shorten user text for a plain-text place (button, alert, invoice); never HTML-escaped."""
    return Raw(text if len(text) <= limit else text[: limit - 1] + "…")


def state_text(t: T, view: ItemView) -> str:
    """Describe what the user can do with an item: open it, or how to unlock it."""
    item = view.item
    if view.access == "owned":
        return t("content.state.owned")
    if view.access == "free":
        return t("content.state.free")
    if view.access == "level":
        return t("content.state.level_open", level=item.min_level)
    if view.access == "member":
        return t("content.state.member_open")
    parts = []
    if item.price_stars:
        parts.append(t("content.state.stars", stars=item.price_stars))
    if item.price_points:
        parts.append(t("content.state.points", points=item.price_points, count=item.price_points))
    if item.min_level:
        parts.append(t("content.state.level", level=item.min_level))
    if item.members_only:
        parts.append(t("content.state.members"))
    return " · ".join(parts) or t("content.state.closed")


def offer_text(t: T, item: ContentItem) -> str:
    """Describe an item's unlock rules, whoever looks (for admins' confirmations)."""
    return state_text(t, ItemView(item, "free" if item.is_free else "locked"))


def tags_text(item: ContentItem) -> str:
    """Render tags as escaped #hashtags after a space, or nothing."""
    return "".join(f" #{html.escape(tag.replace(' ', '_'), quote=False)}" for tag in item.tags)


def catalog_text(t: T, page: CatalogPage) -> str:
    """Render one catalog page."""
    title = t("catalog.title", title=page.community.title)
    if page.pages > 1:
        title += t("catalog.page", page=page.page + 1, pages=page.pages)
    if not page.items:
        return title + "\n\n" + t("catalog.empty")
    lines = [
        t("catalog.line", state=Raw(state_text(t, v)), id=v.item.id, title=v.item.title, tags=Raw(tags_text(v.item)))
        for v in page.items
    ]
    return title + "\n\n" + "\n".join(lines)


def group_catalog_keyboard(t: T, page: CatalogPage, bot_username: str) -> InlineKeyboardMarkup | None:
    """Deep links that take the caller to the private chat for each item."""
    rows = [
        [InlineKeyboardButton(f"#{v.item.id} {short(v.item.title)}", url=deep_link(bot_username, ITEM, v.item.id))]
        for v in page.items
    ]
    if page.pages > 1:
        link = deep_link(bot_username, CATALOG, page.community.id)
        rows.append([InlineKeyboardButton(t("catalog.btn.more"), url=link)])
    return InlineKeyboardMarkup(rows) if rows else None


def private_catalog_keyboard(t: T, page: CatalogPage) -> InlineKeyboardMarkup | None:
    """One button per item (open or see how to unlock) and the page arrows."""
    rows = []
    for view in page.items:
        action = "o" if view.unlocked else "i"
        label = t("content.btn.item_open" if view.unlocked else "content.btn.item_locked", id=view.item.id,
                  title=short(view.item.title))
        rows.append([InlineKeyboardButton(label, callback_data=encode(action, view.item.id))])
    arrows = []
    if page.page > 0:
        arrows.append(InlineKeyboardButton("◀", callback_data=encode("c", page.community.id, page.page - 1)))
    if page.page + 1 < page.pages:
        arrows.append(InlineKeyboardButton("▶", callback_data=encode("c", page.community.id, page.page + 1)))
    if arrows:
        rows.append(arrows)
    return InlineKeyboardMarkup(rows) if rows else None


def card_text(t: T, view: ItemView, community_title: str) -> str:
    """Render an item's card: title, tags, community and how to open it."""
    item = view.item
    text = t("content.card", id=item.id, title=item.title, tags=Raw(tags_text(item)), community=community_title,
             state=Raw(state_text(t, view)))
    if view.access == "locked":
        if item.min_level:
            text += "\n" + t("content.card.level_hint", level=item.min_level)
        if item.members_only:
            text += "\n" + t("content.card.members_hint")
    return text


def card_keyboard(t: T, view: ItemView, plans: list[Plan]) -> InlineKeyboardMarkup | None:
    """Open, or the ways to buy: Stars, points, a membership plan."""
    item = view.item
    if view.unlocked:
        return InlineKeyboardMarkup([[InlineKeyboardButton(t("content.btn.open"), callback_data=encode("o", item.id))]])
    rows = []
    if item.price_stars:
        rows.append([InlineKeyboardButton(t("content.btn.buy_stars", stars=item.price_stars),
                                          callback_data=encode("b", item.id))])
        rows.append([code_button(t, "item", item.id)])
    if item.price_points:
        label = t("content.btn.buy_points", points=item.price_points, count=item.price_points)
        rows.append([InlineKeyboardButton(label, callback_data=encode("p", item.id))])
    if item.members_only:
        rows += [[plan_button(t, plan)] for plan in plans]
    return InlineKeyboardMarkup(rows) if rows else None


def plan_button(t: T, plan: Plan) -> InlineKeyboardButton:
    """A button that starts a subscription to a plan."""
    return InlineKeyboardButton(
        t("subscribe.btn.plan", name=short(plan.name), stars=plan.price_stars), callback_data=encode("s", plan.id)
    )


def trial_button(t: T, plan: Plan) -> InlineKeyboardButton:
    """A button that starts a plan's free trial."""
    return InlineKeyboardButton(
        t("subscribe.btn.trial", days=plan.trial_days, count=plan.trial_days, name=short(plan.name)),
        callback_data=encode("t", plan.id),
    )


def rating_keyboard(item_id: int) -> InlineKeyboardMarkup:
    """Five buttons to rate an item 1-5."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"{n}⭐", callback_data=encode("r", item_id, n)) for n in range(1, 6)]]
    )


def delivery_text(t: T, item: ContentItem) -> str:
    """Return the delivered message's HTML: the title header and the body, within Telegram's limit."""
    header = t("content.header", title=item.title)
    body = item.body_html or ""
    limit = MAX_TEXT if item.kind == "text" else MAX_CAPTION
    if body and visible_length(header) + 2 + visible_length(body) > limit:
        return body
    return header + ("\n\n" + body if body else "")


# --- payment notices in private -----------------------------------------------------------


# What the buyer reads: an admin's refund, by what was paid for; an automatic one, by its reason.
ADMIN_REFUND_TEXTS = {"item": "refund.notice", "plan": "refund.notice_plan", "question": "paidq.refund.admin"}
AUTO_REFUND_TEXTS = {
    "owned": "refund.auto.owned", "order_paid": "refund.auto.order_paid", "orphan": "refund.auto.orphan",
    "declined": "paidq.refund.declined", "unanswered": "paidq.refund.unanswered",
    "coupon": "refund.auto.coupon", "self": "refund.self",
}


def render_thanks(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Thank the buyer of an item."""
    return Rendered(env.t("pay.thanks", title=params["title"], amount=params["amount"]))


def render_membership(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Confirm a membership payment and the new expiry."""
    return Rendered(env.t(
        "subscribe.active_until", title=params["title"], until=params["until"], amount=params["amount"]
    ))


def render_refund(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Tell the buyer a payment was refunded, and why."""
    reason = params["reason"]
    if reason == "admin":
        key = ADMIN_REFUND_TEXTS.get(params["paid_for"], ADMIN_REFUND_TEXTS["item"])
    else:
        key = AUTO_REFUND_TEXTS[reason]
    return Rendered(env.t(key, amount=params["amount"], title=params["title"]))


NOTICES: dict[str, NoticeRenderer] = {
    "payments/thanks": render_thanks,
    "payments/membership": render_membership,
    "payments/refunded": render_refund,
}
