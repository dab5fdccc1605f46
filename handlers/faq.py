"""/faq: the list for everyone, `add` and `del` for admins."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import CustomContext
from bot.errors import Usage
from bot.services.faq import do_add_faq, do_delete_faq, parse_faq_add
from bot.services.question_views import get_faq_entries
from handlers.common import command, reply, require_community
from handlers.console import console_community
from bot.views.qa_buttons import decode, pattern
from handlers.qa_common import command_text, edit_quietly
from bot.views.qa import faq_list
from bot.numbers import parse_id


async def faq(update: Update, context: CustomContext) -> None:
    """List the FAQ, or add/delete an entry: /faq, /faq add <q> | <a>, /faq del <n>."""
    text = command_text(update)
    verb, _, rest = text.partition(" ")
    verb = verb.lower()
    if verb in ("add", "del", "delete"):  # admins, in the group or in private
        community = await console_community(update, context)
    else:
        community = await require_community(update, context)
    if not verb:
        page = await get_faq_entries(context.db, community.id, 0, context.settings.qa.page_size)
        body, markup = faq_list(context, page)
        await update.effective_message.reply_text(body, reply_markup=markup)
        return
    if verb not in ("add", "del", "delete"):
        raise Usage("faq.usage")
    actor = update.effective_user.id
    if verb == "add":
        question, answer = parse_faq_add(rest)
        entry = await do_add_faq(context.services.qa, community.id, actor, question, answer)
        await reply(update, context, "faq.added", number=entry.number, question=entry.question)
        return
    number = parse_id(rest)
    if number is None:
        raise Usage("faq.usage")
    entry = await do_delete_faq(context.services.qa, community.id, actor, number)
    await reply(update, context, "faq.deleted", number=entry.number, question=entry.question)


async def turn_page(update: Update, context: CustomContext) -> None:
    """Show another page of the /faq list this button belongs to."""
    query = update.callback_query
    community = await require_community(update, context)
    pressed = decode(query.data)
    if pressed is not None and query.message is not None:
        page = await get_faq_entries(context.db, community.id, pressed.value, context.settings.qa.page_size)
        text, markup = faq_list(context, page)
        await edit_quietly(context, query.message.chat.id, query.message.message_id, text, markup)
    await query.answer()


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers."""
    return [
        command("faq", faq),
        CallbackQueryHandler(turn_page, pattern=pattern("pf")),
    ]
