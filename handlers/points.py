"""Points for members: earning from messages and reactions, /checkin, /top, and the points part of /me."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, MessageReactionHandler, filters

from bot.context import CustomContext
from bot.errors import Usage
from bot.i18n import Raw
from bot.views.points import badge_label, level_name
from bot.services.earning import MessageSeen, ReactionSeen, do_checkin
from bot.services.leaderboard import Board, do_roll_windows, get_leaderboard, get_profile, parse_period
from bot.services.levels import progress_bar
from handlers.common import GROUP_TYPES, as_user, reply, require_community, user_info

# A group of its own: the message tracker sees every group message, next to whatever
# other features do with it (answers, commands) in their groups.
POINTS_GROUP = 20
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}


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
    result = await do_checkin(context.db, context.services.scoring, context.clock, community.id, user_info(update))
    if result.done:
        await reply(update, context, "checkin.done", points=result.points, streak=result.streak)
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
    await do_roll_windows(context.db, context.clock, community.id)
    board = await get_leaderboard(context.db, context.clock, community.id, period, update.effective_user.id)
    await update.effective_message.reply_text(
        render_board(context, board), parse_mode=ParseMode.HTML, do_quote=True
    )


# The leaderboard's title per period.
BOARD_TITLES = {7: "top.title.7", 30: "top.title.30", 0: "top.title.0"}


def render_board(context: CustomContext, board: Board) -> str:
    """Render a leaderboard with medals, escaped names and the viewer's own place."""
    lines = [context.t(BOARD_TITLES[board.period])]
    if not board.leaders:
        lines.append(context.t("top.empty"))
    for standing in board.leaders:
        rank = Raw(MEDALS.get(standing.rank, f"{standing.rank}."))
        lines.append(context.t("top.line", rank=rank, name=standing.name, points=standing.points))
    if board.viewer is None:
        lines += ["", context.t("top.you_none")]
    elif not board.viewer_in_top:
        lines += ["…", context.t("top.you", rank=board.viewer.rank, points=board.viewer.points)]
    return "\n".join(lines)


async def points_profile_lines(context: CustomContext, community_id: int, user_id: int) -> list[str]:
    """Return the points part of /me for one community: points, level, progress, streak, ranks, badges."""
    await do_roll_windows(context.db, context.clock, community_id)
    profile = await get_profile(context.db, context.services.scoring, context.clock, community_id, user_id)
    rules = context.services.scoring.config
    lang = context.lang
    step = profile.progress
    lines = [
        context.t("me.points_balance", score=profile.score, balance=profile.balance)
        if profile.balance != profile.score
        else context.t("me.points", score=profile.score),
        context.t("me.level", level=step.level, name=level_name(context.services.t, lang, step.level, rules.level_names)),
    ]
    bar = progress_bar(step.fraction(profile.score))
    if step.next_at is None:
        lines.append(context.t("me.progress_top", bar=bar))
    else:
        lines.append(context.t("me.progress", bar=bar, left=step.next_at - profile.score, next=step.level + 1))
    if profile.streak:
        lines.append(context.t("me.streak", streak=profile.streak, best=profile.best_streak))
    else:
        lines.append(context.t("me.streak_none"))
    none = context.t("me.rank_none")
    lines.append(
        context.t(
            "me.rank",
            week=f"#{profile.rank_week}" if profile.rank_week else none,
            all=f"#{profile.rank_all}" if profile.rank_all else none,
        )
    )
    if profile.badges:
        labels = ", ".join(badge_label(context.services.t, lang, b) for b in profile.badges)
        lines.append(context.t("me.badges", badges=labels))
    else:
        lines.append(context.t("me.badges_none"))
    return lines


def build_handlers() -> dict[int, list[BaseHandler]]:
    """Return this feature's handlers by handler group."""
    groups = filters.ChatType.GROUPS
    said = groups & filters.UpdateType.MESSAGE & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    return {
        0: [
            CommandHandler("checkin", checkin),
            CommandHandler("top", show_top),
        ],
        POINTS_GROUP: [
            MessageHandler(said, earn_for_message),
            MessageReactionHandler(earn_for_reaction),
        ],
    }

