"""gate=request in a community that sells plans: offer the requester a plan before approval."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.context import CustomContext
from bot.services.communities import get_community
from bot.services.plans import get_join_offer
from handlers.content_views import plan_button

log = logging.getLogger(__name__)


async def plan_pending(context: CustomContext, chat_id: int, user_id: int) -> bool:
    """Return True (and offer the plans in private) when the join must wait for a paid plan."""
    plans = await get_join_offer(context.db, chat_id, user_id, context.clock.now())
    if plans is None:
        return False
    community = await get_community(context.db, chat_id)
    text = context.t("join.needs_plan", title=community.title if community else "")
    markup = InlineKeyboardMarkup([[plan_button(context.t, plan)] for plan in plans])
    try:
        # A requester may be written to even before they start the bot (Telegram allows it).
        await context.bot.send_message(user_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except TelegramError as exc:
        log.info("could not offer plans to requester %s of %s: %s", user_id, chat_id, exc)
    return True
