"""Members coming and going: chat_member updates, join/leave service messages, join requests, migration, /me."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, ChatMemberHandler, MessageHandler
from telegram.ext import filters

from bot.context import CustomContext
from bot.services.content import get_purchase_count
from bot.services.members import MemberChange, do_migrate_community, do_record_member
from bot.services.leaderboard import do_roll_windows
from bot.services.leaderboard import get_profile as get_points_profile
from bot.services.profile import ProfileEntry, get_profile
from bot.links import JOIN, deep_link
from bot.views.base import listing
from bot.views.points import profile_lines as points_profile_lines
from handlers.common import GROUP_TYPES, as_user, command, is_admin, is_group, load_community, member_status
from handlers.common import require_person
from jobs.welcomes import schedule_welcome

log = logging.getLogger(__name__)

# What /me says a member's next onboarding step is.
PROFILE_STEPS = {"rules": "profile.step.rules", "survey": "profile.step.survey", "done": "profile.step.done"}
# In the private chat the next step is one tap away.
PRIVATE_STEPS = {**PROFILE_STEPS, "rules": "profile.step.rules_here", "survey": "profile.step.survey_here"}

async def _follow_up(context: CustomContext, chat_id: int, user_id: int, change: MemberChange | None) -> None:
    if change is None:
        return
    if change.joined:
        schedule_welcome(context.job_queue, context.clock, chat_id, context.settings.onboarding.welcome_delay)
    if change.restrict:
        await context.services.gateway.restrict_newcomer(chat_id, user_id)


async def track_chat_member(update: Update, context: CustomContext) -> None:
    """Record a member's new status; refresh the admin cache when an admin changed."""
    change = update.chat_member
    chat = change.chat
    if chat.type not in GROUP_TYPES:
        return
    old, new = change.old_chat_member, change.new_chat_member
    if is_admin(old) or is_admin(new):
        context.services.admins.invalidate(chat.id)
    result = await do_record_member(
        context.db,
        context.clock,
        context.settings.onboarding,
        chat.id,
        as_user(new.user),
        member_status(new),
        is_admin(new),
        invite_url=change.invite_link.invite_link if change.invite_link else None,
    )
    await _follow_up(context, chat.id, new.user.id, result)


async def members_joined(update: Update, context: CustomContext) -> None:
    """Record joins from the service message (all the bot sees when it is not an admin)."""
    message = update.effective_message
    for user in message.new_chat_members or ():
        if user.id == context.bot.id:
            continue
        result = await do_record_member(
            context.db, context.clock, context.settings.onboarding, message.chat_id, as_user(user), "member",
            exact=False,
        )
        await _follow_up(context, message.chat_id, user.id, result)


async def member_left(update: Update, context: CustomContext) -> None:
    """Record a leave or removal from the service message."""
    message = update.effective_message
    user = message.left_chat_member
    if user is None or user.id == context.bot.id:
        return
    await do_record_member(
        context.db, context.clock, context.settings.onboarding, message.chat_id, as_user(user), "left", exact=False
    )


async def group_migrated(update: Update, context: CustomContext) -> None:
    """Move the community to its supergroup id (both service messages arrive; the second finds nothing)."""
    message = update.effective_message
    if message.migrate_to_chat_id:
        old_id, new_id = message.chat_id, message.migrate_to_chat_id
    else:
        old_id, new_id = message.migrate_from_chat_id, message.chat_id
    if await do_migrate_community(context.db, context.clock, old_id, new_id):
        log.info("community %s moved to %s", old_id, new_id)
    for chat_id in (old_id, new_id):
        context.services.admins.invalidate(chat_id)
    # Joins queued for the old id now belong to the new one.
    schedule_welcome(context.job_queue, context.clock, new_id, context.settings.onboarding.welcome_delay)


def profile_lines(update: Update, context: CustomContext, entry: ProfileEntry) -> list[str]:
    """Return the onboarding part of /me for one community: since when, interests, next step."""
    since = entry.membership.joined_at.date().isoformat()
    lines = [context.t("profile.community", title=entry.community.title, since=since)]
    if entry.tags:
        lines.append(context.t("profile.interests", tags=listing(context, entry.tags)))
    if entry.membership.is_admin:
        lines.append(context.t("profile.admin"))
    elif entry.membership.status == "pending":
        lines.append(context.t("profile.pending"))
    if not entry.membership.is_admin and is_group(update):
        lines.append(context.t(PROFILE_STEPS[entry.next_step]))
    elif not entry.membership.is_admin:
        link = deep_link(context.bot.username, JOIN, entry.community.id)
        lines.append(context.t(PRIVATE_STEPS[entry.next_step], link=link))
    return lines


async def show_me(update: Update, context: CustomContext) -> None:
    """Show the sender's profile: this community in a group, every community in private."""
    community = await load_community(update, context)
    user = update.effective_user
    if is_group(update) and community is None:
        return
    require_person(update)
    entries = await get_profile(context.db, user.id, community.id if community else None)
    lines = [context.t("profile.title", name=user.full_name)]
    if not entries and community is not None:
        # In the group but unknown to us (there before the bot): the points part still applies.
        lines += ["", *await _points_lines(context, community.id, user.id)]
        lines.append(await _purchases_line(context, community.id, user.id))
    elif not entries:
        lines.append(context.t("profile.none"))
    for entry in entries:
        lines.append("")
        lines += profile_lines(update, context, entry)
        lines += await _points_lines(context, entry.community.id, user.id)
        lines.append(await _purchases_line(context, entry.community.id, user.id))
    await update.effective_message.reply_text(
        "\n".join(lines), do_quote=is_group(update)
    )


async def _points_lines(context: CustomContext, community_id: int, user_id: int) -> list[str]:
    services = context.services
    await do_roll_windows(services.db, services.clock, community_id)
    profile = await get_points_profile(services.db, services.scoring, services.clock, community_id, user_id)
    return points_profile_lines(context, profile, services.scoring.config.level_names)


async def _purchases_line(context: CustomContext, community_id: int, user_id: int) -> str:
    count = await get_purchase_count(context.db, user_id, community_id)
    return context.t("me.purchases", count=count)


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers."""
    groups = filters.ChatType.GROUPS
    return [
        ChatMemberHandler(track_chat_member, ChatMemberHandler.CHAT_MEMBER),
        MessageHandler(groups & filters.StatusUpdate.NEW_CHAT_MEMBERS, members_joined),
        MessageHandler(groups & filters.StatusUpdate.LEFT_CHAT_MEMBER, member_left),
        MessageHandler(groups & filters.StatusUpdate.MIGRATE, group_migrated),
        command("me", show_me),
    ]

