"""Small helpers every handler module shares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from operator import attrgetter

from telegram import ChatMember, Message, Update, User
from telegram.constants import ChatType

from telegram.ext import CommandHandler, TypeHandler, filters
from telegram.ext.filters import BaseFilter, MessageFilter

from bot.context import CustomContext
from bot.errors import DomainError, GroupOnly, NotAdmin
from bot.services.communities import UserInfo, get_community
from bot.services.settings import get_language_preference, pick_language
from bot.views.content_data import ContentData, decode
from storage.models import Community, MemberStatus

GROUP_TYPES = (ChatType.GROUP, ChatType.SUPERGROUP)
# The message fields behind filters.StatusUpdate.ALL (PTB 22; tests/test_filters.py checks the list
# against PTB's source). Read in one pass: PTB's filter runs ~46 sub-filters per message, which
# was the costliest step of a group message's dispatch.
STATUS_FIELDS = (
    "chat_background_set", "group_chat_created", "supergroup_chat_created", "channel_chat_created",
    "chat_owner_changed", "chat_owner_left", "chat_shared", "checklist_tasks_added", "checklist_tasks_done",
    "connected_website", "direct_message_price_changed", "delete_chat_photo", "forum_topic_closed",
    "forum_topic_created", "forum_topic_edited", "forum_topic_reopened", "general_forum_topic_hidden",
    "general_forum_topic_unhidden", "gift", "gift_upgrade_sent", "giveaway_completed", "giveaway_created",
    "left_chat_member", "managed_bot_created", "message_auto_delete_timer_changed", "migrate_from_chat_id",
    "migrate_to_chat_id", "new_chat_members", "new_chat_photo", "new_chat_title", "paid_message_price_changed",
    "pinned_message", "poll_option_added", "poll_option_deleted", "proximity_alert_triggered",
    "refunded_payment", "suggested_post_approval_failed", "suggested_post_approved", "suggested_post_declined",
    "suggested_post_paid", "suggested_post_refunded", "unique_gift", "users_shared", "video_chat_ended",
    "video_chat_participants_invited", "video_chat_scheduled", "video_chat_started", "web_app_data",
    "write_access_allowed",
)
# Commands run from new messages only: editing a message never runs its command again.
NEW_MESSAGE = filters.UpdateType.MESSAGE
ADMIN_STATUSES = (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
_STATUS: dict[str, MemberStatus] = {
    ChatMember.OWNER: "member",
    ChatMember.ADMINISTRATOR: "member",
    ChatMember.MEMBER: "member",
    ChatMember.LEFT: "left",
    ChatMember.BANNED: "kicked",
}


_status_fields = attrgetter(*STATUS_FIELDS)


class _NotStatusUpdate(MessageFilter):
    """~filters.StatusUpdate.ALL: the message is not a service message (one pass over STATUS_FIELDS)."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return not any(_status_fields(message))


NOT_STATUS_UPDATE = _NotStatusUpdate(name="NOT_STATUS_UPDATE")


class UpdatesWhen(TypeHandler[Update, CustomContext, None]):
    """TypeHandler(Update, callback) that takes only the updates `when` accepts.

    For handlers that see every update: declining in check_update spares PTB building a
    context and running the callback just to return (every group message paid for two).
    """

    def __init__(self, callback: Callable[[Update, CustomContext], Awaitable[None]],
                 when: Callable[[Update], bool]) -> None:
        super().__init__(Update, callback)
        self.when = when

    def check_update(self, update: object) -> bool:
        return isinstance(update, Update) and self.when(update)


def in_private(update: Update) -> bool:
    """Tell whether the update comes from a user in their private chat with the bot."""
    chat = update.effective_chat
    return update.effective_user is not None and chat is not None and chat.type == ChatType.PRIVATE


def command(name: str, callback: Callable[[Update, CustomContext], Awaitable[object]],
            only: BaseFilter | None = None) -> CommandHandler:
    """Return a CommandHandler for /name in new messages (edits are ignored), optionally narrowed by only."""
    return CommandHandler(name, callback, filters=NEW_MESSAGE if only is None else NEW_MESSAGE & only)


def as_user(user: User) -> UserInfo:
    """Return a Telegram user as the services see them."""
    return UserInfo(user.id, user.first_name, user.last_name, user.username, user.language_code, user.is_bot)


def user_info(update: Update) -> UserInfo:
    """Return the sender as the services see them."""
    assert update.effective_user is not None
    return as_user(update.effective_user)


def member_status(member: ChatMember) -> MemberStatus:
    """Return what a Telegram chat member's status means for a membership."""
    if member.status == ChatMember.RESTRICTED:
        return "restricted" if getattr(member, "is_member", False) else "left"
    return _STATUS.get(member.status, "left")


def is_present(member: ChatMember) -> bool:
    """Tell whether the chat member is in the group now (a restricted member may be, or not)."""
    return member_status(member) in ("member", "restricted")


def is_admin(member: ChatMember) -> bool:
    """Tell whether the chat member is the group's owner or an administrator."""
    return member.status in ADMIN_STATUSES


def is_group(update: Update) -> bool:
    """Tell whether the update comes from a group or supergroup."""
    return update.effective_chat is not None and update.effective_chat.type in GROUP_TYPES


async def load_community(update: Update, context: CustomContext) -> Community | None:
    """Return the group's community and switch replies to its language."""
    if not is_group(update):
        return None
    community = await get_community(context.db, update.effective_chat.id)
    if community is not None:
        context.lang = community.language
    return community


async def require_community(update: Update, context: CustomContext) -> Community:
    """Return the group's community or raise GroupOnly."""
    community = await load_community(update, context)
    if community is None:
        raise GroupOnly()
    return community


async def sender_is_admin(update: Update, context: CustomContext) -> bool:
    """Tell whether the sender is an admin of this group (server-side check)."""
    message = update.effective_message
    sender_chat = message.sender_chat.id if message is not None and message.sender_chat else None
    user = update.effective_user
    return await context.services.admins.is_admin(
        update.effective_chat.id, user.id if user else None, sender_chat_id=sender_chat
    )


def require_person(update: Update) -> None:
    """Raise a domain error for a message sent as the group itself (an anonymous admin): it never earns."""
    message = update.effective_message
    if message is not None and message.sender_chat is not None:
        raise DomainError("error.anonymous")


async def require_admin(update: Update, context: CustomContext) -> None:
    """Raise NotAdmin unless the sender is an admin of this group."""
    if not await sender_is_admin(update, context):
        raise NotAdmin()


async def reply(update: Update, context: CustomContext, key: str, /, **params: object) -> Message:
    """Reply in the same chat with a translated HTML message."""
    return await update.effective_message.reply_text(
        context.t(key, **params), do_quote=is_group(update)
    )


async def read_content_press(update: Update, context: CustomContext) -> ContentData | None:
    """Decode a paid-content button; answer and return None when it is malformed or not in a private chat."""
    query = update.callback_query
    data = decode(query.data)
    if data is None:
        await query.answer(context.t("content.stale"), show_alert=True)
        return None
    if query.message is None or query.message.chat.type != ChatType.PRIVATE:
        # Content buttons only exist in private chats; anything else is forged or stale.
        await query.answer(context.t("content.open_in_private"), show_alert=True)
        return None
    return data


def takes_member_language(update: Update) -> bool:
    """Tell whether use_member_language has something to do: a private update, or a join request."""
    chat = update.effective_chat
    private = chat is None or chat.type == ChatType.PRIVATE  # pre-checkout queries have no chat
    return update.effective_user is not None and (private or update.chat_join_request is not None)


async def use_member_language(update: object, context: CustomContext) -> None:
    """Switch private replies to the language the member chose with /set language."""
    if not isinstance(update, Update) or update.effective_user is None:
        return
    chat = update.effective_chat
    private = chat is None or chat.type == ChatType.PRIVATE  # pre-checkout queries have no chat
    if not private and update.chat_join_request is None:  # join requests are answered in private
        return
    user = update.effective_user
    preference = await get_language_preference(context.db, user.id, context.services.user_reads)
    context.language_preference = preference
    if private:
        context.lang = pick_language(preference, user.language_code, context.settings.bot.default_language)
