"""/recommend (private): the member's top picks now, with a button to open, buy or unlock each."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, filters

from bot.context import CustomContext
from bot.links import bot_link
from bot.numbers import parse_chat_id
from bot.services.communities import get_community
from bot.services.content import get_user_communities
from bot.services.recommend import get_recommendations
from bot.views.recommend import PICK_COMMUNITY, communities_keyboard, recommend_keyboard, recommend_text
from handlers.common import command, reply

PICK_PATTERN = re.compile(rf"^{PICK_COMMUNITY}:(-?\d+)$")


async def recommend_command(update: Update, context: CustomContext) -> None:
    """Show the top 5 of the member's community, or ask which community when they are in several."""
    if update.effective_chat.type != "private":
        await reply(update, context, "recommend.private", link=bot_link(context.bot.username))
        return
    communities = await get_user_communities(context.db, update.effective_user.id)
    if not communities:
        await reply(update, context, "recommend.none")
        return
    if len(communities) > 1:
        await update.effective_message.reply_text(
            context.t("recommend.pick"), reply_markup=communities_keyboard([(c.id, c.title) for c in communities])
        )
        return
    await _send(update, context, communities[0].id, communities[0].title)


async def press_community(update: Update, context: CustomContext) -> None:
    """A community was chosen: show its picks (only for a community the member belongs to)."""
    query = update.callback_query
    community_id = parse_chat_id(query.data.split(":", 1)[1])
    mine = {c.id for c in await get_user_communities(context.db, update.effective_user.id)}
    community = await get_community(context.db, community_id) if community_id in mine else None
    if community is None:
        await query.answer(context.t("content.stale"), show_alert=True)
        return
    await query.answer()
    await _send(update, context, community.id, community.title)


async def _send(update: Update, context: CustomContext, community_id: int, title: str) -> None:
    picks = await get_recommendations(
        context.db, context.services.recommender, context.settings.points.levels, community_id,
        update.effective_user.id, context.clock.now(),
    )
    await update.effective_chat.send_message(
        recommend_text(context, title, picks), reply_markup=recommend_keyboard(context, picks)
    )


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers."""
    return [
        command("recommend", recommend_command, only=filters.ChatType.PRIVATE | filters.ChatType.GROUPS),
        CallbackQueryHandler(press_community, pattern=PICK_PATTERN),
    ]
