"""The broadcast pass: each broadcast going out has its preview message edited with the progress."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot.context import CustomContext
from bot.services.broadcasts import do_finish_broadcast, get_progress, get_sending, is_finished
from bot.services.notices import get_private_language
from bot.views.base import Reader
from bot.views.console import progress

log = logging.getLogger(__name__)

BROADCAST_JOB = "broadcast_progress"


async def show_broadcast_progress(context: CustomContext) -> None:
    """Edit each sending broadcast's preview with its counts; mark it done when nothing waits."""
    services = context.services
    for broadcast in await get_sending(services.db):
        done = await get_progress(services.db, broadcast)
        if is_finished(done) and await do_finish_broadcast(services.db, services.clock, broadcast.id):
            broadcast = broadcast.model_copy(update={"status": "done"})
        if broadcast.chat_id is None or broadcast.message_id is None:
            continue
        lang = await get_private_language(services.db, broadcast.admin_id, broadcast.community_id)
        shown = progress(Reader(services.t, lang), broadcast, done)
        try:
            await context.bot.edit_message_text(shown.text, chat_id=broadcast.chat_id,
                                                message_id=broadcast.message_id, reply_markup=shown.markup)
        except TelegramError as exc:  # unchanged counts, a deleted preview: the next pass tries again
            log.debug("broadcast %s progress not shown: %s", broadcast.id, exc)
