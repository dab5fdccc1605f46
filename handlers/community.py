"""The bot's own membership: registering a community when added, leaving when removed."""

from __future__ import annotations

import logging

from telegram import ChatMember, ChatMemberAdministrator, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, ChatMemberHandler

from bot.context import CustomContext
from bot.services.communities import ChatInfo, do_leave_community, do_mark_reachable, do_mark_unreachable
from bot.services.communities import do_register_community
from bot.services.gates import do_reset_warning
from handlers.common import GROUP_TYPES, UpdatesWhen, in_private, is_present

log = logging.getLogger(__name__)

NEEDED_RIGHTS = ("can_delete_messages", "can_restrict_members", "can_invite_users")
# Before every other handler: whoever writes to the bot in private can be written to again.
CONTACT_GROUP = -4


async def track_private_contact(update: object, context: CustomContext) -> None:
    """Note a member who blocked the bot (my_chat_member: kicked) or writes to it in private again."""
    if not isinstance(update, Update) or update.effective_user is None:
        return
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    user_id = update.effective_user.id
    change = update.my_chat_member
    if change is not None and change.new_chat_member.status == ChatMember.BANNED:
        await do_mark_unreachable(context.db, context.clock, user_id)
        log.info("user %s blocked the bot", user_id)
    elif await do_mark_reachable(context.db, context.clock, user_id, context.services.user_reads):
        log.info("user %s can be written to again", user_id)


async def track_bot_membership(update: Update, context: CustomContext) -> None:
    """Register the community when the bot arrives; mark it left when the bot goes."""
    change = update.my_chat_member
    chat = change.chat
    if chat.type not in GROUP_TYPES:
        return
    new = change.new_chat_member
    if not is_present(new):  # left, removed, or restricted out of the group
        await do_leave_community(context.db, context.clock, chat.id)
        context.services.admins.invalidate(chat.id)
        log.info("bot removed from chat %s", chat.id)
        return
    # The admins first: the greeting invites them to run admin commands at once.
    admins = await context.services.gateway.fetch_admins(chat.id)
    community, added = await do_register_community(
        context.db,
        context.clock,
        ChatInfo(chat.id, chat.title or "", chat.type, chat.username),
        _missing_rights(new),
        greeting_key=f"greet:{chat.id}:{update.update_id}",
        admins=admins,
    )
    context.services.admins.invalidate(chat.id)
    if admins is None:  # Telegram could not say: the next admin check asks again
        await context.services.admins.refresh(chat.id)
    # The bot's rights changed: a gate that could not work may work now, or fail anew.
    await do_reset_warning(context.db, chat.id)
    if added:
        log.info("community %s registered", community.id)


def _missing_rights(member: ChatMember) -> list[str]:
    """Return the admin rights the bot needs and was not given."""
    if isinstance(member, ChatMemberAdministrator):
        return [r for r in NEEDED_RIGHTS if not getattr(member, r)]
    return list(NEEDED_RIGHTS)


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers."""
    return [
        ChatMemberHandler(track_bot_membership, ChatMemberHandler.MY_CHAT_MEMBER),
        # chat_member updates (people, admins among them) are handled in handlers/members.py.
    ]


def build_contact_handlers() -> list[BaseHandler]:
    """Return the handler that tracks whether members can be written to in private (CONTACT_GROUP)."""
    return [UpdatesWhen(track_private_contact, in_private)]
