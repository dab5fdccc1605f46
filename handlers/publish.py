"""/publish (one line as a reply, or step by step in private), /unpublish and /price for admins."""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import CustomContext
from bot.errors import NotAdmin, NotFound, Usage
from bot.services.content import (
    ContentSource,
    build_spec,
    do_publish_item,
    do_set_price,
    do_unpublish_item,
    get_item,
    parse_options,
    parse_publish,
    parse_stars,
    parse_tags,
    parse_title,
)
from bot.services.communities import get_community
from handlers.console import admin_communities
from handlers.common import NEW_MESSAGE, command, is_group, reply, require_admin, require_community
from bot.views.content_data import PUBLISH_PATTERN, decode, encode
from bot.links import PUBLISH, deep_link, start_command
from bot.views.content import offer_text
from bot.numbers import parse_id, parse_int
from storage.models import Community
from storage.models_content import ContentItem

log = logging.getLogger(__name__)

PICK, CONTENT, TITLE, PRICE, TAGS, OPTIONS = range(6)
DRAFT = "publish_draft"
_COMMAND = re.compile(r"^/\S+\s*")
CONTENT_FILTER = (
    (filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.Document.ALL | filters.VIDEO | filters.AUDIO
)
# Conversation steps read new private messages: editing an earlier answer changes nothing.
PRIVATE = filters.ChatType.PRIVATE & NEW_MESSAGE
ANSWER = PRIVATE & filters.TEXT & ~filters.COMMAND
BARE_PUBLISH = r"^/publish(@\w+)?\s*$"


def content_source(message: Message) -> ContentSource | None:
    """Return what a message holds in a form that can be delivered later, or None."""
    caption = message.caption_html or None if message.caption else None
    if message.photo:
        return ContentSource("photo", caption, message.photo[-1].file_id)
    if message.video:
        return ContentSource("video", caption, message.video.file_id)
    if message.audio:
        return ContentSource("audio", caption, message.audio.file_id)
    if message.document:
        return ContentSource("document", caption, message.document.file_id)
    if message.text:
        return ContentSource("text", message.text_html, None)
    return None


async def _keep_copy(context: CustomContext, message: Message, source: ContentSource) -> ContentSource:
    storage = context.settings.payments.storage_chat_id
    if not storage:
        return source
    try:
        copied = await context.bot.copy_message(storage, message.chat_id, message.message_id)
    except TelegramError as exc:
        log.warning("could not copy content to the storage chat %s: %s", storage, exc)
        return source
    return replace(source, storage_chat_id=storage, storage_message_id=copied.message_id)


async def _announce(context: CustomContext, item: ContentItem) -> None:
    community = await get_community(context.db, item.community_id)
    if community is None or not community.is_active:
        return
    t = context.services.t
    lang = community.language
    state = offer_text(lambda key, **params: t(lang, key, **params), item)
    text = t(lang, "publish.announce", id=item.id, title=item.title, state=state)
    try:
        await context.bot.send_message(community.id, text)
    except TelegramError as exc:
        log.warning("could not announce item %s in %s: %s", item.id, community.id, exc)


# --- one line -------------------------------------------------------------------------------


async def publish_line(update: Update, context: CustomContext) -> None:
    """/publish <price> | <title> | <tags> [| …] as a reply to the content (group or private)."""
    message = update.effective_message
    args = _COMMAND.sub("", message.text or "", count=1).strip()
    source_message = message.reply_to_message
    if is_group(update):
        community = await require_community(update, context)
        await require_admin(update, context)
        if source_message is None and not args:
            link = deep_link(context.bot.username, PUBLISH)
            button = InlineKeyboardButton(context.t("publish.btn.private"), url=link)
            await message.reply_text(
                context.t("publish.private_hint"), reply_markup=InlineKeyboardMarkup([[button]])
            )
            return
    else:
        community = None
    if source_message is None:
        raise Usage("publish.reply_needed")
    spec = parse_publish(args, context.settings.payments.max_stars)
    source = content_source(source_message)
    if source is None:
        raise Usage("publish.unsupported")
    if community is None:
        communities = await admin_communities(update, context)
        if len(communities) != 1:
            raise Usage("publish.several" if communities else "publish.no_community")
        community = communities[0]
    source = await _keep_copy(context, source_message, source)
    item = await do_publish_item(context.db, context.clock, community.id, update.effective_user.id, spec, source)
    if is_group(update):
        # The content must not stay in the group: it is kept in the database / storage chat.
        try:
            await context.bot.delete_messages(message.chat_id, [source_message.message_id, message.message_id])
        except TelegramError as exc:
            log.info("could not delete published content in %s: %s", message.chat_id, exc)
            await message.reply_text(context.t("publish.kept_original"))
    else:
        await reply(update, context, "publish.done", id=item.id, title=item.title, community=community.title,
                    state=offer_text(context.t, item))
    await _announce(context, item)


# --- step by step ---------------------------------------------------------------------------


async def conversation_start(update: Update, context: CustomContext) -> int:
    """Begin publishing in private: pick the community (if several), then ask for the content."""
    communities = await admin_communities(update, context)
    if not communities:
        await reply(update, context, "publish.no_community")
        return ConversationHandler.END
    context.user_data[DRAFT] = {}
    if len(communities) == 1:
        return await _chosen(update, context, communities[0])
    rows = [[InlineKeyboardButton(c.title, callback_data=encode("u", c.id))] for c in communities]
    await update.effective_message.reply_text(
        context.t("publish.pick_community"), reply_markup=InlineKeyboardMarkup(rows)
    )
    return PICK


async def conversation_pick(update: Update, context: CustomContext) -> int:
    """Take the community chosen by button, after checking the presser administers it."""
    query = update.callback_query
    data = decode(query.data)
    if data is None or data.action != "u":
        await query.answer(context.t("content.stale"), show_alert=True)
        return PICK
    if not await context.services.admins.is_admin(data.args[0], query.from_user.id):
        raise NotAdmin()
    community = await get_community(context.db, data.args[0])
    if community is None:
        raise NotFound()
    await query.answer()
    return await _chosen(update, context, community)


async def _chosen(update: Update, context: CustomContext, community: Community) -> int:
    context.user_data.setdefault(DRAFT, {})["community"] = community.id
    await context.bot.send_message(
        update.effective_user.id, context.t("publish.ask_content", title=community.title)
    )
    return CONTENT


async def conversation_content(update: Update, context: CustomContext) -> int:
    """Keep the content message; ask for the title."""
    message = update.effective_message
    source = content_source(message)
    if source is None:
        raise Usage("publish.unsupported")
    context.user_data[DRAFT].update(source=source, message=message)
    await reply(update, context, "publish.ask_title")
    return TITLE


async def conversation_title(update: Update, context: CustomContext) -> int:
    """Keep the title; ask for the Stars price."""
    context.user_data[DRAFT]["title"] = parse_title(update.effective_message.text)
    await reply(update, context, "publish.ask_price")
    return PRICE


async def conversation_price(update: Update, context: CustomContext) -> int:
    """Keep the price; ask for tags."""
    stars = parse_stars(update.effective_message.text, context.settings.payments.max_stars)
    context.user_data[DRAFT]["stars"] = stars
    await reply(update, context, "publish.ask_tags")
    return TAGS


async def conversation_tags(update: Update, context: CustomContext) -> int:
    """Keep the tags; ask for the options."""
    context.user_data[DRAFT]["tags"] = parse_tags(update.effective_message.text)
    await reply(update, context, "publish.ask_options")
    return OPTIONS


async def conversation_options(update: Update, context: CustomContext) -> int:
    """Parse the options and publish (the admin check is repeated at this point)."""
    options = parse_options(update.effective_message.text.replace(",", " ").split())
    draft = context.user_data[DRAFT]
    community_id = draft["community"]
    if not await context.services.admins.is_admin(community_id, update.effective_user.id):
        raise NotAdmin()
    spec = build_spec(draft["title"], draft["stars"], draft["tags"], options)
    source = await _keep_copy(context, draft["message"], draft["source"])
    item = await do_publish_item(context.db, context.clock, community_id, update.effective_user.id, spec, source)
    context.user_data.pop(DRAFT, None)
    community = await get_community(context.db, community_id)
    await reply(update, context, "publish.done", id=item.id, title=item.title,
                community=community.title if community else "", state=offer_text(context.t, item))
    await _announce(context, item)
    return ConversationHandler.END


async def stale_pick(update: Update, context: CustomContext) -> None:
    """Answer a community button of a conversation that has ended."""
    await update.callback_query.answer(context.t("content.stale"), show_alert=True)


async def conversation_cancel(update: Update, context: CustomContext) -> int:
    """Drop the draft."""
    context.user_data.pop(DRAFT, None)
    await reply(update, context, "publish.cancelled")
    return ConversationHandler.END


# --- /unpublish and /price ------------------------------------------------------------------


async def _item_for_admin(update: Update, context: CustomContext, raw: str, usage: str) -> ContentItem:
    item_id = parse_id(raw)
    if item_id is None:
        raise Usage(usage)
    item = await get_item(context.db, item_id)
    if is_group(update):
        community = await require_community(update, context)
        if item.community_id != community.id:
            raise NotFound("content.unknown", id=item.id)
        await require_admin(update, context)
    elif not await context.services.admins.is_admin(item.community_id, update.effective_user.id):
        raise NotAdmin()
    return item


async def _admins_first(update: Update, context: CustomContext) -> None:
    """In the group, tell a member "admins only" before anything about the arguments."""
    if is_group(update):
        await require_community(update, context)
        await require_admin(update, context)


async def unpublish(update: Update, context: CustomContext) -> None:
    """/unpublish <id>: out of the catalog; buyers keep it."""
    await _admins_first(update, context)
    if len(context.args or []) != 1:
        raise Usage("unpublish.usage")
    item = await _item_for_admin(update, context, context.args[0], "unpublish.usage")
    await do_unpublish_item(context.db, context.clock, item.id, update.effective_user.id)
    await reply(update, context, "unpublish.done", id=item.id, title=item.title)


async def set_price(update: Update, context: CustomContext) -> None:
    """/price <id> <stars>, or /price <id> points <n>; 0 stops that way of buying."""
    await _admins_first(update, context)
    args = context.args or []
    value = parse_int(args[-1]) if args else None
    if len(args) not in (2, 3) or (len(args) == 3 and args[1].lower() != "points") or value is None:
        raise Usage("price.usage")
    item = await _item_for_admin(update, context, args[0], "price.usage")
    actor = update.effective_user.id
    if len(args) == 3:
        if value > 1_000_000:
            raise Usage("price.usage")
        item = await do_set_price(context.db, context.clock, item.id, actor, points=value)
    else:
        parse_stars(args[-1], context.settings.payments.max_stars)
        item = await do_set_price(context.db, context.clock, item.id, actor, stars=value)
    await reply(update, context, "price.done", id=item.id, title=item.title, state=offer_text(context.t, item))


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers: the conversation first, then the one-line form."""
    with warnings.catch_warnings():
        # The community buttons belong to the private chat, not to one message: per_message stays off.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        conversation = ConversationHandler(
            entry_points=[
                command("publish", conversation_start, only=PRIVATE & ~filters.REPLY & filters.Regex(BARE_PUBLISH)),
                command("start", conversation_start, only=PRIVATE & filters.Regex(start_command(PUBLISH))),
            ],
            states={
                PICK: [CallbackQueryHandler(conversation_pick, pattern=PUBLISH_PATTERN)],
                CONTENT: [MessageHandler(PRIVATE & CONTENT_FILTER, conversation_content)],
                TITLE: [MessageHandler(ANSWER, conversation_title)],
                PRICE: [MessageHandler(ANSWER, conversation_price)],
                TAGS: [MessageHandler(ANSWER, conversation_tags)],
                OPTIONS: [MessageHandler(ANSWER, conversation_options)],
            },
            fallbacks=[command("cancel", conversation_cancel, only=filters.ChatType.PRIVATE)],
            allow_reentry=True,
            name="publish",
        )
    return [
        conversation,
        CallbackQueryHandler(stale_pick, pattern=PUBLISH_PATTERN),
        command("publish", publish_line),
        command("unpublish", unpublish),
        command("price", set_price),
    ]
