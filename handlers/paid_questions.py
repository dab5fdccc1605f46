"""/askpaid, the admins' Answer / Decline buttons and answers by reply, and the asker's consent to post."""

from __future__ import annotations

import logging

from telegram import ForceReply, LabeledPrice, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import CustomContext
from bot.i18n import Raw
from bot.payload import sign_order
from bot.services.paid_questions import (
    check_answerable,
    do_answer_paid,
    do_consent,
    do_create_question_order,
    do_decline_paid,
    do_draft,
    do_record_group_post,
    do_record_prompt,
    get_asker_name,
    get_paid_question,
    get_prompted,
    parse_question,
)
from bot.services.communities import get_community
from bot.services.payments import CURRENCY
from bot.services.question_views import get_question_view
from bot.services.refunds import do_settle_refunds
from bot.views.base import Reader
from bot.views.content import short
from bot.views.paid_questions import PATTERN, PaidButton, decode, offers_markup
from bot.views.qa import post_text
from handlers.common import NEW_MESSAGE, command, is_group, user_info
from handlers.fallback import answer_private
from handlers.qa_common import NO_PREVIEW, command_text, edit_quietly
from storage.models_paid import PaidQuestion
from storage.models_qa import Question

log = logging.getLogger(__name__)

# A private text reply: an answer when it replies to an answer prompt, else what the fallback says.
ANSWER_FILTER = filters.ChatType.PRIVATE & NEW_MESSAGE & filters.REPLY & filters.TEXT & ~filters.COMMAND


async def askpaid(update: Update, context: CustomContext) -> None:
    """/askpaid <question> in private: draft it, then the invoice (or a pick of communities first)."""
    if is_group(update):
        await update.effective_message.reply_text(context.t("paidq.in_private"), do_quote=True)
        return
    text = parse_question(command_text(update), context.settings)
    draft = await do_draft(context.services.paid_questions, user_info(update), text)
    if len(draft.offers) == 1:
        await _send_invoice(update, context, draft.question.id, draft.offers[0].community.id)
        return
    await update.effective_message.reply_text(
        context.t("paidq.pick"), reply_markup=offers_markup(context, draft.question.id, draft.offers)
    )


async def _send_invoice(update: Update, context: CustomContext, question_id: int, community_id: int) -> None:
    services = context.services
    await services.admins.admin_ids(community_id)  # the admins who will get it, fresh from Telegram when stale
    order, question, community = await do_create_question_order(
        services.paid_questions, services.payload_secret, question_id, community_id, user_info(update)
    )
    title = str(short(context.t("paidq.invoice.title", title=Raw(community.title)), 32))
    description = context.t("paidq.invoice.description", title=Raw(community.title), text=Raw(question.text))
    await context.bot.send_invoice(
        update.effective_user.id, title, str(short(description, 255)),
        sign_order(order.id, services.payload_secret), CURRENCY, [LabeledPrice(title, order.amount)],
    )


async def press_button(update: Update, context: CustomContext) -> None:
    """Route a paid-question button; every press is checked again on the server."""
    query = update.callback_query
    pressed = decode(query.data)
    if pressed is None or query.message is None or query.message.chat.type != ChatType.PRIVATE:
        await query.answer(context.t("paidq.stale"), show_alert=True)
        return
    if pressed.action == "c":
        await _send_invoice(update, context, pressed.question_id, pressed.community_id or 0)
        await query.answer(context.t("buy.invoice_sent"))
    elif pressed.action == "a":
        await _prompt_answer(update, context, pressed)
    elif pressed.action == "d":
        await _decline(update, context, pressed)
    else:
        await _consent(update, context, pressed)


async def _is_admin(context: CustomContext, question: PaidQuestion, user_id: int) -> bool:
    if question.community_id is None:
        return False
    return await context.services.admins.is_admin(question.community_id, user_id)


async def _prompt_answer(update: Update, context: CustomContext, pressed: PaidButton) -> None:
    query = update.callback_query
    env = context.services.paid_questions
    question = await get_paid_question(context.db, pressed.question_id)
    admin = await _is_admin(context, question, query.from_user.id)
    check_answerable(env, question, admin)
    asker = await get_asker_name(context.db, question)
    prompt = await context.bot.send_message(
        query.from_user.id, context.t("paidq.prompt", name=asker, text=question.text),
        reply_markup=ForceReply(input_field_placeholder=str(short(context.t("paidq.placeholder"), 64))),
    )
    await do_record_prompt(env, question.id, admin, prompt.chat.id, prompt.message_id)
    await query.answer()


async def _decline(update: Update, context: CustomContext, pressed: PaidButton) -> None:
    query = update.callback_query
    services = context.services
    question = await get_paid_question(context.db, pressed.question_id)
    admin = await _is_admin(context, question, query.from_user.id)
    settled = await do_decline_paid(services.paid_questions, question.id, query.from_user.id, admin)
    if not settled.changed:
        await query.answer(context.t("paidq.settled"), show_alert=True)
        return
    # The refund now; one interrupted here is finished at the next start (jobs.payments).
    await do_settle_refunds(services.refunds, only=settled.question.payment_id)
    asker = await get_asker_name(context.db, question)
    await edit_quietly(
        context, query.message.chat.id, query.message.message_id,
        query.message.text_html + context.t("paidq.declined_mark", name=asker, amount=question.amount or 0),
    )
    await query.answer(context.t("paidq.decline.done", name=Raw(asker), amount=question.amount or 0))


async def _consent(update: Update, context: CustomContext, pressed: PaidButton) -> None:
    query = update.callback_query
    env = context.services.paid_questions
    post = pressed.action == "p"
    settled, qa = await do_consent(env, pressed.question_id, query.from_user.id, post)
    if not settled.changed:
        await query.answer(context.t("paidq.consent.already"), show_alert=True)
        return
    question = settled.question
    if qa is not None:
        await _post_to_group(context, question, qa)
    key = "paidq.consent.posted" if post else "paidq.consent.kept"
    await edit_quietly(context, query.message.chat.id, query.message.message_id,
                       query.message.text_html + context.t(key))
    await query.answer(context.t(key))


async def _post_to_group(context: CustomContext, question: PaidQuestion, qa: Question) -> None:
    """Post the answered question to its group as a solved Q, in the group's language."""
    community = await get_community(context.db, qa.community_id)
    if community is None:
        return
    view = await get_question_view(context.db, community.id, question_id=qa.id)
    group = Reader(context.services.t, community.language)
    text = group.t("paidq.post.head") + post_text(group, community, view)
    post = await context.bot.send_message(community.id, text, link_preview_options=NO_PREVIEW)
    await do_record_group_post(context.services.paid_questions, context.services.qa_index, question, qa,
                               post.message_id)


async def collect_answer(update: Update, context: CustomContext) -> None:
    """A private reply to an answer prompt is the answer; any other reply gets the fallback's answer."""
    message = update.effective_message
    question = await get_prompted(context.db, message.chat.id, message.reply_to_message.message_id)
    if question is None:
        await answer_private(update, context)
        return
    admin = await _is_admin(context, question, update.effective_user.id)
    await do_answer_paid(context.services.paid_questions, question.id, user_info(update), admin, message.text or "")
    name = await get_asker_name(context.db, question)
    await message.reply_text(context.t("paidq.answer.sent", name=name))


def build_handlers() -> list[BaseHandler]:
    """Return this feature's command, button and answer handlers."""
    return [
        command("askpaid", askpaid),
        CallbackQueryHandler(press_button, pattern=PATTERN),
        MessageHandler(ANSWER_FILTER, collect_answer),
    ]
