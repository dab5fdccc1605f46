"""/invite: a member's personal invite link to their group, with how many joined and paid through it."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import CustomContext
from bot.errors import DomainError
from bot.links import bot_link
from bot.services.communities import get_community
from bot.services.referrals import (
    do_keep_invite, get_invite, get_invite_communities, get_invite_counts, link_name,
)
from bot.views.base import Texts
from handlers.common import command, is_group, reply
from storage.models import Community
from storage.repos.growth import InviteLink

PICK = "iv"  # callback data: iv:<community id>
PICK_PATTERN = re.compile(rf"^{PICK}:(-?\d{{1,20}})$")


async def invite(update: Update, context: CustomContext) -> None:
    """/invite (private): the member's link to their community, or buttons when they are in several."""
    if is_group(update):
        await reply(update, context, "invite.private", link=bot_link(context.bot.username))
        return
    communities = await get_invite_communities(context.db, update.effective_user.id)
    if not communities:
        raise DomainError("invite.no_community")
    if len(communities) == 1:
        await _show(update, context, communities[0], update.effective_user.id, context)
        return
    rows = [[InlineKeyboardButton(c.title, callback_data=f"{PICK}:{c.id}")] for c in communities]
    await update.effective_message.reply_text(context.t("invite.pick"), reply_markup=InlineKeyboardMarkup(rows))


async def pick_community(update: Update, context: CustomContext) -> None:
    """A community button under /invite: the presser's own link, if they are in that community."""
    query = update.callback_query
    community_id = int(PICK_PATTERN.match(query.data)[1])
    mine = {c.id for c in await get_invite_communities(context.db, query.from_user.id)}
    private = query.message is not None and query.message.chat.type == ChatType.PRIVATE
    community = await get_community(context.db, community_id) if community_id in mine else None
    if not private or community is None:
        await query.answer(context.t("invite.not_member"), show_alert=True)
        return
    await query.answer()
    await _show(update, context, community, query.from_user.id, context)


async def _show(update: Update, context: CustomContext, community: Community, user_id: int, say: Texts) -> None:
    link, needs_request = await get_invite(context.db, context.settings, community, user_id)
    if link is None:
        url = await context.services.gateway.create_member_link(
            community.id, link_name(update.effective_user.first_name), needs_request
        )
        if url is None:
            await context.bot.send_message(user_id, say.t("invite.cannot", title=community.title))
            return
        link = InviteLink(community.id, user_id, url, needs_request)
        await do_keep_invite(context.db, context.clock, link)
    counts = await get_invite_counts(context.db, community.id, user_id)
    await context.bot.send_message(user_id, say.t(
        "invite.link", title=community.title, url=link.url, joined=counts.joined, paid=counts.paid,
    ))


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers."""
    return [command("invite", invite), CallbackQueryHandler(pick_community, pattern=PICK_PATTERN)]
