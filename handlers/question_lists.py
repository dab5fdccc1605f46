"""/questions (paged), /q <n> and /search <words>."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import CustomContext
from bot.errors import Usage
from bot.services.qa_search import search
from bot.services.question_views import get_open_questions, get_question_view
from handlers.common import command, require_community
from bot.views.qa_buttons import decode, pattern
from handlers.qa_common import NO_PREVIEW, command_text, edit_quietly
from bot.views.qa import open_list, search_text, thread_text
from bot.numbers import parse_id


async def list_questions(update: Update, context: CustomContext) -> None:
    """List open questions, newest first, with paging buttons."""
    community = await require_community(update, context)
    page = await get_open_questions(context.db, community.id, 0, context.settings.qa.page_size)
    text, markup = open_list(context, community, page)
    await update.effective_message.reply_text(
        text, reply_markup=markup, link_preview_options=NO_PREVIEW
    )


async def turn_page(update: Update, context: CustomContext) -> None:
    """Show another page of the /questions list this button belongs to."""
    query = update.callback_query
    community = await require_community(update, context)
    pressed = decode(query.data)
    if pressed is not None and query.message is not None:
        page = await get_open_questions(context.db, community.id, pressed.value, context.settings.qa.page_size)
        text, markup = open_list(context, community, page)
        await edit_quietly(context, query.message.chat.id, query.message.message_id, text, markup)
    await query.answer()


async def show_question(update: Update, context: CustomContext) -> None:
    """Show one thread: /q <number>."""
    community = await require_community(update, context)
    number = parse_id(command_text(update).lstrip("#Qq"))
    if number is None:
        raise Usage("qa.q.usage")
    view = await get_question_view(context.db, community.id, number=number)
    await update.effective_message.reply_text(
        thread_text(context, community, view), link_preview_options=NO_PREVIEW
    )


async def search_questions(update: Update, context: CustomContext) -> None:
    """Rank questions, accepted answers and FAQ entries against the words: /search <words>."""
    community = await require_community(update, context)
    words = command_text(update)
    if not words:
        raise Usage("qa.search.usage")
    env = context.services.qa
    results = await search(env.db, env.index, env.config, community.id, words)
    await update.effective_message.reply_text(
        search_text(context, community, words, results), link_preview_options=NO_PREVIEW
    )


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers."""
    return [
        command("questions", list_questions),
        command("q", show_question),
        command("search", search_questions),
        CallbackQueryHandler(turn_page, pattern=pattern("pq")),
    ]
