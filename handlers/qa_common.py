"""What the Q&A handlers share: command text and keeping the Q post current."""

from __future__ import annotations

import logging

from telegram import LinkPreviewOptions, Message, Update
from telegram.error import BadRequest

from bot.context import CustomContext
from bot.services.question_views import get_question_view
from bot.views.qa import post_text
from storage.models import Community
from storage.models_qa import Question

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def command_text(update: Update) -> str:
    """Return what follows the command, with its line breaks (context.args loses them)."""
    text = update.effective_message.text or ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


async def refresh_post(context: CustomContext, community: Community, question: Question) -> None:
    """Edit the bot's Q post to the question's current state (a no-op edit is fine)."""
    if question.post_message_id is None:
        return
    view = await get_question_view(context.db, community.id, question_id=question.id)
    await edit_quietly(
        context, community.id, question.post_message_id, post_text(context, community, view)
    )


async def edit_quietly(
    context: CustomContext, chat_id: int, message_id: int, text: str, reply_markup: object = None
) -> Message | bool | None:
    """Edit a bot message; a deleted message or an unchanged text is logged, not an error."""
    try:
        return await context.bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id,
            reply_markup=reply_markup, link_preview_options=NO_PREVIEW,  # type: ignore[arg-type]
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            log.warning("could not edit message %s in chat %s: %s", message_id, chat_id, exc)
        return None

