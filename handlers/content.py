"""/catalog, item cards, opening, buying with points, rating and /mycontent."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import CustomContext
from bot.errors import NotFound, Usage
from bot.services.communities import get_community
from bot.services.content import (
    do_open_item,
    do_rate_item,
    get_catalog,
    get_item_view,
    get_my_content,
    get_user_communities,
)
from bot.services.plans import get_plans
from bot.services.self_refunds import get_refundable
from bot.services.unlocks import do_buy_with_points
from handlers.common import command, is_group, load_community, read_content_press, reply, user_info
from bot.views.content_data import PATTERN, ContentData, encode
from bot.links import CATALOG, ITEM, MY_CONTENT, StartPayload, deep_link
from bot.numbers import parse_id, parse_int
from bot.views.content import (
    card_keyboard,
    card_text,
    catalog_text,
    group_catalog_keyboard,
    private_catalog_keyboard,
    short,
)
from bot.views.self_refunds import refund_rows

log = logging.getLogger(__name__)



# --- catalog --------------------------------------------------------------------------------


async def show_catalog(update: Update, context: CustomContext) -> None:
    """List a community's items with the caller's access: in the group, or in private."""
    page = (parse_int(context.args[0], 1) or 1) - 1 if context.args else 0
    if is_group(update):
        community = await load_community(update, context)
        if community is None:
            raise NotFound()
        await _send_catalog(update, context, community.id, page)
        return
    communities = await get_user_communities(context.db, update.effective_user.id)
    if not communities:
        await reply(update, context, "catalog.none")
        return
    if len(communities) == 1:
        await _send_catalog(update, context, communities[0].id, page)
        return
    rows = [[InlineKeyboardButton(c.title, callback_data=encode("c", c.id, 0))] for c in communities]
    await update.effective_message.reply_text(context.t("catalog.pick"), reply_markup=InlineKeyboardMarkup(rows))


async def _send_catalog(update: Update, context: CustomContext, community_id: int, page: int) -> None:
    catalog = await get_catalog(
        context.db, context.settings.points.levels, community_id, update.effective_user.id,
        context.clock.now(), page, context.settings.payments.catalog_page_size,
    )
    text = catalog_text(context.t, catalog)
    if is_group(update):
        markup = group_catalog_keyboard(context.t, catalog, context.bot.username)
        text += "\n\n" + context.t("catalog.group_hint") if catalog.items else ""
    else:
        markup = private_catalog_keyboard(context.t, catalog)
    await update.effective_message.reply_text(
        text, reply_markup=markup, do_quote=is_group(update)
    )


# --- deep links -----------------------------------------------------------------------------


async def open_item_link(update: Update, context: CustomContext, payload: StartPayload) -> None:
    """Answer /start item_<id> (a catalog button in the group): the item's card."""
    await _send_card(update, context, payload.id or 0)


async def open_catalog_link(update: Update, context: CustomContext, payload: StartPayload) -> None:
    """Answer /start catalog_<community>: the community's catalog in private."""
    await _send_catalog(update, context, payload.id or 0, 0)


async def open_my_content_link(update: Update, context: CustomContext, _payload: StartPayload) -> None:
    """Answer /start mycontent: what the user owns."""
    await show_my_content(update, context)


START_ROUTES = {ITEM: open_item_link, CATALOG: open_catalog_link, MY_CONTENT: open_my_content_link}


async def _send_card(update: Update, context: CustomContext, item_id: int) -> None:
    # Only a card with buttons: the content itself goes out after the server-side check.
    view = await get_item_view(context.db, context.settings.points.levels, item_id, update.effective_user.id,
                               context.clock.now())
    community = await get_community(context.db, view.item.community_id)
    plans = await get_plans(context.db, view.item.community_id) if view.item.members_only else []
    await update.effective_message.reply_text(
        card_text(context.t, view, community.title if community else ""),
        reply_markup=card_keyboard(context.t, view, plans),
    )


# --- buttons --------------------------------------------------------------------------------


async def press_content_button(update: Update, context: CustomContext) -> None:
    """Route a content button; every action re-checks access on the server."""
    data = await read_content_press(update, context)
    if data is not None:
        await _ACTIONS[data.action](update, context, data)


async def _open(update: Update, context: CustomContext, data: ContentData) -> None:
    item = await do_open_item(context.db, context.clock, context.settings.points.levels, data.args[0],
                              user_info(update))
    await context.services.gateway.deliver_item(item, update.effective_user.id, context.lang)
    await update.callback_query.answer(context.t("content.sent"))


async def _card(update: Update, context: CustomContext, data: ContentData) -> None:
    await update.callback_query.answer()
    await _send_card(update, context, data.args[0])


async def _buy_points(update: Update, context: CustomContext, data: ContentData) -> None:
    entitlement = await do_buy_with_points(
        context.db, context.clock, context.services.scoring, context.settings.points.levels, data.args[0],
        user_info(update),
    )
    await update.callback_query.answer(context.t("buy.unlocked"))
    await context.services.deliverer.deliver([entitlement.id])


async def _rate(update: Update, context: CustomContext, data: ContentData) -> None:
    item_id, rating = data.args
    await do_rate_item(context.db, context.clock, context.settings.points.levels, item_id, user_info(update), rating)
    await update.callback_query.answer(context.t("rate.thanks", rating=rating))


async def _page(update: Update, context: CustomContext, data: ContentData) -> None:
    community_id, page = data.args
    catalog = await get_catalog(
        context.db, context.settings.points.levels, community_id, update.effective_user.id, context.clock.now(),
        page, context.settings.payments.catalog_page_size,
    )
    await update.callback_query.answer()
    await update.callback_query.edit_message_text(
        catalog_text(context.t, catalog),
        reply_markup=private_catalog_keyboard(context.t, catalog),
    )


_ACTIONS = {"o": _open, "i": _card, "p": _buy_points, "r": _rate, "c": _page}


# --- /mycontent and /rate -------------------------------------------------------------------


async def show_my_content(update: Update, context: CustomContext) -> None:
    """List what the caller owns, with Open buttons (private chat)."""
    if is_group(update):
        await load_community(update, context)
        await reply(update, context, "mycontent.group", link=deep_link(context.bot.username, MY_CONTENT))
        return
    items, memberships = await get_my_content(context.db, update.effective_user.id)
    now = context.clock.now()
    lines = [context.t("mycontent.title")]
    for community, membership in memberships:
        key = "mycontent.member" if membership.expires_at > now else "mycontent.member_expired"
        lines.append(context.t(key, title=community.title, until=membership.expires_at.strftime("%Y-%m-%d")))
    lines += [context.t("mycontent.line", id=item.id, title=item.title) for item in items]
    if not items and not memberships:
        lines.append(context.t("mycontent.empty"))
    rows = [
        [InlineKeyboardButton(context.t("content.btn.item_open", id=item.id, title=short(item.title)),
                              callback_data=encode("o", item.id))]
        for item in items[:50]
    ]
    refundable = await get_refundable(context.services.refunds, context.settings, update.effective_user.id)
    rows += refund_rows(context.t, refundable)  # the self-service refund window (handlers.self_refunds)
    await update.effective_message.reply_text(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows) if rows else None
    )


async def rate_item(update: Update, context: CustomContext) -> None:
    """Rate an item: /rate <id> <1-5>."""
    await load_community(update, context)
    args = context.args or []
    item_id, rating = (parse_id(args[0]), parse_int(args[1], 1, 5)) if len(args) == 2 else (None, None)
    if item_id is None or rating is None:
        raise Usage("rate.usage")
    await do_rate_item(context.db, context.clock, context.settings.points.levels, item_id,
                       user_info(update), rating)
    await reply(update, context, "rate.thanks", rating=rating)


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers (the deep-link /start must come before the plain one)."""
    return [
        command("catalog", show_catalog),
        command("mycontent", show_my_content),
        command("rate", rate_item),
        CallbackQueryHandler(press_content_button, pattern=PATTERN),
    ]

