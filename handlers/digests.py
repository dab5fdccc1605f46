"""Digests in chat: "Stop these" under a digest or reminder; /digest preview and /digest stats for admins."""

from __future__ import annotations

import re

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import CustomContext
from bot.errors import Usage
from bot.links import bot_link
from bot.services.digests import do_preview_digest, get_digest_stats
from bot.services.settings import do_set_member_setting
from bot.services.settings_registry import MEMBER_REMINDER_KINDS
from bot.views.digests import STOP, STOP_REMINDERS, stats_text
from handlers.common import command, reply, require_person, user_info
from handlers.console import console_community

PREVIEW_REPLIES = {"queued": "digest.preview.sent", "empty": "digest.preview.empty",
                   "unreachable": "digest.preview.start_first"}


STOPPED = {  # the alert after "Stop these" under a reminder of each kind
    "inactive": "reminder.stopped.inactive", "streak": "reminder.stopped.streak",
    "unanswered": "reminder.stopped.unanswered", "expiring": "reminder.stopped.expiring",
}
STOP_PATTERN = re.compile(
    rf"^(?:(?P<digest>{STOP})|{STOP_REMINDERS}(?::(?P<kind>{'|'.join(MEMBER_REMINDER_KINDS)}))?)$"
)


async def stop_these(update: Update, context: CustomContext) -> None:
    """Turn off the presser's own digest, one kind of reminder, or all reminders (sent in private only)."""
    query = update.callback_query
    if query.message is None or query.message.chat.type != ChatType.PRIVATE:
        await query.answer(context.t("fallback.stale_button"), show_alert=True)
        return
    match = STOP_PATTERN.match(query.data)
    kind = match["kind"]
    if match["digest"]:
        setting, done = "digest", "digest.stopped"
    else:
        setting, done = (f"reminders.{kind}", STOPPED[kind]) if kind else ("reminders", "reminder.stopped")
    await do_set_member_setting(context.db, context.clock, user_info(update), setting, "off")
    await query.answer(context.t(done), show_alert=True)


async def digest_command(update: Update, context: CustomContext) -> None:
    """/digest preview sends the admin their own digest now; /digest stats shows the last run."""
    community = await console_community(update, context)
    action = (context.args or [""])[0].lower()
    if action == "stats":
        stats = await get_digest_stats(context.db, community.id)
        await update.effective_message.reply_text(stats_text(context, stats), do_quote=True)
        return
    if action != "preview":
        raise Usage("digest.usage")
    require_person(update)  # the group itself has no private chat
    key = str(update.effective_message.message_id)
    outcome = await do_preview_digest(
        context.db, context.clock, context.settings, community.id, update.effective_user.id, key,
        context.services.recommender,
    )
    await reply(update, context, PREVIEW_REPLIES[outcome], link=bot_link(context.bot.username))


def build_handlers() -> dict[int, list[BaseHandler]]:
    """Return this feature's handlers by handler group."""
    return {0: [
        CallbackQueryHandler(stop_these, pattern=STOP_PATTERN),
        command("digest", digest_command),
    ]}
