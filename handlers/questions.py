"""/ask, answers by reply, /accept, /close, and the buttons under Q posts."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import CustomContext
from bot.errors import DomainError, Usage
from bot.numbers import parse_id
from bot.services.qa_search import get_suggestions
from bot.services.question_views import QuestionView, get_faq_entry, get_question_view
from bot.services.questions import (
    do_accept,
    do_answer,
    do_ask,
    do_close,
    do_faq_feedback,
    do_record_post,
    parse_ask,
)
from handlers.common import command, require_community, require_person, sender_is_admin, user_info
from bot.views.qa_buttons import decode, pattern
from handlers.qa_common import NO_PREVIEW, command_text, edit_quietly, refresh_post
from bot.views.qa import (
    bounty_returned_line,
    faq_alert,
    faq_answer_markup,
    faq_answer_text,
    post_text,
    suggestion_alert,
    suggestions_markup,
)
from storage.models import Community
from storage.models_qa import Question

ANSWER_FILTER = filters.ChatType.GROUPS & filters.REPLY & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND


async def ask(update: Update, context: CustomContext) -> None:
    """Post a numbered question with similar solved ones, and a FAQ answer when one fits."""
    community = await require_community(update, context)
    require_person(update)  # a question needs an asker who can accept its answer
    env = context.services.qa
    bounty, text = parse_ask(command_text(update), env.config)
    message = update.effective_message
    user = user_info(update)
    asked = await do_ask(env, community.id, user, message.message_id, text, bounty)
    question = asked.question
    if question.post_message_id is None:  # else a replayed update: the post is out already
        await _post_question(update, context, community, question)


async def _post_question(update: Update, context: CustomContext, community: Community, question: Question) -> None:
    env = context.services.qa
    message = update.effective_message
    suggestions = await get_suggestions(env.db, env.index, env.config, community.id, question.text)
    view = QuestionView(question, update.effective_user.full_name)
    body = post_text(context, community, view)
    if suggestions:
        body += context.t("qa.post.similar")
    post = await message.reply_text(
        body, reply_markup=suggestions_markup(context, suggestions),
        link_preview_options=NO_PREVIEW,
    )
    direct = suggestions.faq_answer
    await do_record_post(env, question.id, post.message_id, direct.id if direct else None)
    if direct is not None:
        await message.reply_text(
            faq_answer_text(context, direct, update.effective_user.first_name),
            reply_markup=faq_answer_markup(context, question.number),
        )


async def collect_answer(update: Update, context: CustomContext) -> None:
    """Record a reply to a question as an answer and tell the asker in private; quiet in the group."""
    message = update.effective_message
    if update.effective_user is None or message.reply_to_message is None or message.sender_chat is not None:
        return
    await do_answer(
        context.services.qa, update.effective_chat.id, user_info(update), message.reply_to_message.message_id,
        message.message_id, message.text or message.caption or "",
    )


async def accept(update: Update, context: CustomContext) -> None:
    """Accept the answer this command replies to (asker or admin)."""
    community = await require_community(update, context)
    target = update.effective_message.reply_to_message
    if target is None:
        raise Usage("qa.accept.usage")
    admin = await sender_is_admin(update, context)
    result = await do_accept(context.services.qa, community.id, update.effective_user.id, admin, target.message_id)
    # A replay edits the post again too: the first run may have died between commit and edit.
    await refresh_post(context, community, result.question)
    if not result.changed:  # accepted already (this command delivered again, or sent once more)
        raise DomainError("qa.not_open", number=result.question.number)
    view = await get_question_view(context.db, community.id, question_id=result.question.id)
    name = view.answerer_name or ""
    key = "qa.accept.done" if result.rewarded else "qa.accept.done_self"
    text = context.t(key, number=result.question.number, name=name)
    if result.bounty_paid:
        text += context.t("qa.accept.bounty_paid", bounty=result.bounty_paid, name=name, count=result.bounty_paid)
    if result.bounty_returned:
        text += bounty_returned_line(context, result.bounty_returned, view.asker_name)
    await update.effective_message.reply_text(text)


async def close(update: Update, context: CustomContext) -> None:
    """Close a question without an accepted answer: /close <n>, or as a reply to it."""
    community = await require_community(update, context)
    arg = command_text(update)
    number = message_id = None
    if arg:
        number = parse_id(arg)
        if number is None:
            raise Usage("qa.close.usage")
    elif update.effective_message.reply_to_message is not None:
        message_id = update.effective_message.reply_to_message.message_id
    else:
        raise Usage("qa.close.usage")
    admin = await sender_is_admin(update, context)
    result = await do_close(
        context.services.qa, community.id, update.effective_user.id, admin, number=number, message_id=message_id
    )
    await refresh_post(context, community, result.question)
    if not result.changed:  # closed already: say so rather than nothing
        raise DomainError("qa.not_open", number=result.question.number)
    text = context.t("qa.close.done", number=result.question.number)
    if result.bounty_returned:
        view = await get_question_view(context.db, community.id, question_id=result.question.id)
        text += bounty_returned_line(context, result.bounty_returned, view.asker_name)
    await update.effective_message.reply_text(text)


async def press_button(update: Update, context: CustomContext) -> None:
    """Handle Q&A buttons under posts: suggestions and the FAQ answer's Yes/No."""
    query = update.callback_query
    pressed = decode(query.data)
    community = await require_community(update, context)
    if pressed is None or query.message is None:
        await query.answer()
        return
    if pressed.action == "sq":
        view = await get_question_view(context.db, community.id, number=pressed.value)
        await query.answer(suggestion_alert(context, view), show_alert=True)
    elif pressed.action == "sf":
        entry = await get_faq_entry(context.db, community.id, pressed.value)
        await query.answer(faq_alert(context, entry), show_alert=True)
    else:
        await _faq_feedback(update, context, community, pressed.value, pressed.action == "fy")


async def _faq_feedback(
    update: Update, context: CustomContext, community: Community, number: int, helpful: bool
) -> None:
    query = update.callback_query
    result = await do_faq_feedback(context.services.qa, community.id, number, query.from_user.id, helpful)
    view = await get_question_view(context.db, community.id, question_id=result.question.id)
    if view.faq is not None:
        question = result.question
        outcome = "open" if question.is_open else "solved" if question.faq_id else None
        await edit_quietly(
            context, query.message.chat.id, query.message.message_id,
            faq_answer_text(context, view.faq, query.from_user.first_name, outcome),
        )
    if result.changed:
        await refresh_post(context, community, result.question)
    await query.answer(context.t("qa.faq.thanks"))


def build_handlers() -> list[BaseHandler]:
    """Return this feature's command and button handlers."""
    return [
        # No chat filter: in private chats require_community answers "send it in the group".
        command("ask", ask),
        command("accept", accept),
        command("close", close),
        CallbackQueryHandler(press_button, pattern=pattern("sq", "sf", "fy", "fn")),
    ]


def build_answer_handlers() -> list[BaseHandler]:
    """Return the handler that watches replies for answers (registered in its own group)."""
    return [MessageHandler(ANSWER_FILTER, collect_answer)]

