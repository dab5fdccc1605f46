"""How paid content looks: catalog lines, item cards, keyboards, and the delivered message."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.i18n import Raw
from bot.services.content import CatalogPage, ItemView
from handlers.content_data import encode
from storage.models_content import ContentItem, Plan

log = logging.getLogger(__name__)

T = Callable[..., str]
MAX_TEXT = 4096
MAX_CAPTION = 1024
BUTTON_TITLE = 40
_TAG = re.compile(r"<[^>]+>")


def short(text: str, limit: int = BUTTON_TITLE) -> Raw:
    """Shorten user text for a plain-text place (button, alert, invoice); never HTML-escaped."""
    return Raw(text if len(text) <= limit else text[: limit - 1] + "…")


def deep_link(bot_username: str, payload: str) -> str:
    """Return a t.me link that opens the bot's private chat with /start payload."""
    return f"https://t.me/{bot_username}?start={payload}"


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
        parts.append(t("content.state.points", points=item.price_points))
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
        [InlineKeyboardButton(f"#{v.item.id} {short(v.item.title)}", url=deep_link(bot_username, f"item_{v.item.id}"))]
        for v in page.items
    ]
    if page.pages > 1:
        link = deep_link(bot_username, f"catalog_{page.community.id}")
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
    if item.price_points:
        rows.append([InlineKeyboardButton(t("content.btn.buy_points", points=item.price_points),
                                          callback_data=encode("p", item.id))])
    if item.members_only:
        rows += [[plan_button(t, plan)] for plan in plans]
    return InlineKeyboardMarkup(rows) if rows else None


def plan_button(t: T, plan: Plan) -> InlineKeyboardButton:
    """A button that starts a subscription to a plan."""
    return InlineKeyboardButton(
        t("subscribe.btn.plan", name=short(plan.name), stars=plan.price_stars), callback_data=encode("s", plan.id)
    )


def rating_keyboard(item_id: int) -> InlineKeyboardMarkup:
    """Five buttons to rate an item 1-5."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"{n}⭐", callback_data=encode("r", item_id, n)) for n in range(1, 6)]]
    )


def _plain_length(body_html: str) -> int:
    return len(html.unescape(_TAG.sub("", body_html)))


async def send_item(bot: Bot, t: T, item: ContentItem, chat_id: int) -> None:
    """Send an item's content to a private chat with the rating buttons (one Bot API call)."""
    keyboard = rating_keyboard(item.id)
    if item.storage_chat_id and item.storage_message_id:
        try:
            await bot.copy_message(chat_id, item.storage_chat_id, item.storage_message_id, reply_markup=keyboard)
            return
        except BadRequest as exc:
            # The stored copy is gone; the file_id or the text below still works.
            log.warning("stored copy of item %s unusable (%s); sending it from the file id", item.id, exc)
    header = t("content.header", title=item.title)
    body = item.body_html or ""
    limit = MAX_TEXT if item.kind == "text" else MAX_CAPTION
    if body and _plain_length(header) + 2 + _plain_length(body) > limit:
        text = body
    else:
        text = header + ("\n\n" + body if body else "")
    if item.kind == "text":
        await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
        return
    send = {
        "photo": bot.send_photo,
        "document": bot.send_document,
        "video": bot.send_video,
        "audio": bot.send_audio,
    }[item.kind]
    await send(chat_id, item.file_id, caption=text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
