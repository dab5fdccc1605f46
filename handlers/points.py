"""Points for members: earning from messages and reactions, /checkin, /top, and the points part of /me."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, MessageReactionHandler, filters
from telegram.ext.filters import UpdateFilter

from bot.context import CustomContext
from bot.errors import Usage
from bot.i18n import Raw
from bot.services.earning import MessageSeen, ReactionSeen, do_checkin
from bot.services.leaderboard import do_show_leaderboard, parse_period
from bot.views.points import render_board
from handlers.common import GROUP_TYPES, NOT_STATUS_UPDATE, as_user, command, reply, require_community, require_person
from handlers.common import user_info

# A group of its own: the message tracker sees every group message, next to whatever
# other features do with it (answers, commands) in their groups.
POINTS_GROUP = 20


class _SaidInGroup(UpdateFilter):
    """filters.ChatType.GROUPS & filters.UpdateType.MESSAGE & ~filters.COMMAND & NOT_STATUS_UPDATE, fused.

    It sees every update the bot gets; four merged filters cost several times this one call.
    """

    __slots__ = ()

    def filter(self, update: Update) -> bool:
        message = update.message
        if message is None or message.chat.type not in GROUP_TYPES or filters.COMMAND.filter(message):
            return False
        return bool(NOT_STATUS_UPDATE.filter(message))


SAID_IN_GROUP = _SaidInGroup(name="SAID_IN_GROUP")


async def earn_for_message(update: Update, context: CustomContext) -> None:
    """Remember who wrote a group message and award it (cooldown and daily cap apply)."""
    message = update.effective_message
    user = message.from_user
    if user is None or message.sender_chat is not None:
        return
    text = message.text or message.caption or ""
    # Forwards earn nothing (anyone can forward a wall of text); their author is still known.
    earns = message.forward_origin is None and not message.is_automatic_forward
    # Queued, not awaited: the chat's next update need not wait for this commit. The writer
    # keeps the order and sends level-up announcements itself.
    context.services.points_writer.submit(
        MessageSeen(message.chat_id, user_info(update), message.message_id, len(text.strip()), earns)
    )


async def earn_for_reaction(update: Update, context: CustomContext) -> None:
    """Credit a message's author when another member adds a 👍/❤️/🔥 to it."""
    change = update.message_reaction
    user = change.user
    if user is None or change.chat.type not in GROUP_TYPES:  # anonymous admins react as the chat
        return
    reactor = as_user(user)
    old = tuple(r.emoji for r in change.old_reaction if r.type == "emoji")
    new = tuple(r.emoji for r in change.new_reaction if r.type == "emoji")
    context.services.points_writer.submit(ReactionSeen(change.chat.id, reactor, change.message_id, old, new))


async def checkin(update: Update, context: CustomContext) -> None:
    """Check in for today: points plus a streak bonus, once per local day."""
    community = await require_community(update, context)
    require_person(update)
    result = await do_checkin(context.db, context.services.scoring, context.clock, community.id, user_info(update))
    if result.done:
        days = Raw(context.t("unit.days", count=result.streak))
        await reply(update, context, "checkin.done", points=result.points, count=result.points, days=days)
    else:
        await reply(update, context, "checkin.already", streak=result.streak)


async def show_top(update: Update, context: CustomContext) -> None:
    """Show the leaderboard: /top (7 days), /top 30d, /top all."""
    community = await require_community(update, context)
    if len(context.args) > 1:
        raise Usage("top.usage")
    period = parse_period(context.args[0] if context.args else None)
    if period is None:
        raise Usage("top.usage")
    board = await do_show_leaderboard(context.db, context.clock, community.id, period, update.effective_user.id)
    await update.effective_message.reply_text(
        render_board(context, board), do_quote=True
    )


def build_handlers() -> dict[int, list[BaseHandler]]:
    """Return this feature's handlers by handler group."""
    return {
        0: [
            command("checkin", checkin),
            command("top", show_top),
        ],
        POINTS_GROUP: [
            MessageHandler(SAID_IN_GROUP, earn_for_message),
            MessageReactionHandler(earn_for_reaction),
        ],
    }

