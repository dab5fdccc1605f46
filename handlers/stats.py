"""/stats: the creator's figures and chart, delivered in private (in a group only "sent to you in private")."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import BaseHandler

from bot.context import CustomContext
from bot.errors import Usage
from bot.services.stats import get_stats, parse_stats_period
from bot.views.stats import stats_caption
from bot.views.stats_chart import render_chart
from handlers.common import command
from bot.views.base import Texts
from handlers.console import console_private, deliver_to_admin


async def show_stats(update: Update, context: CustomContext) -> None:
    """/stats [7d|30d|90d]: one chart with the key numbers in its caption, sent to the admin in private."""
    community = await console_private(update, context)
    args = context.args or []
    days = parse_stats_period(args[0] if args else None) if len(args) <= 1 else None
    if days is None:
        raise Usage("stats.usage")
    stats = await get_stats(context.db, context.clock, community, days)

    async def send(chat_id: int, say: Texts) -> None:
        t = say.t
        # Drawing takes a few hundred milliseconds of CPU: off the event loop, other updates go on.
        png = await asyncio.to_thread(render_chart, stats, t)
        await context.bot.send_photo(chat_id, photo=png, caption=stats_caption(t, community.title, stats))

    await deliver_to_admin(update, context, community, send)


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers."""
    return [command("stats", show_stats)]
