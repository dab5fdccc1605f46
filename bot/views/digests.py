"""Digests, the weekly board and reminders: the member's morning message, the group's posts, the nudges."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Raw
from bot.links import ITEM, anchor, deep_link
from bot.services.digests import DigestStats
from bot.views.base import NoticeEnv, NoticeRenderer, Rendered, Texts, listing, mention
from bot.views.content import short
from bot.views.content_data import encode
from bot.views.points import MEDALS

STOP = "dg:stop"  # callback data of the "Stop these" button under a digest
STOP_REMINDERS = "rm:stop"  # ... and under a reminder: rm:stop:<kind> turns off that kind only
REASONS = {"opened": "digest.reason.opened", "new": "digest.reason.new", "interest": "digest.reason.interest",
           "popular": "digest.reason.popular"}


def price_text(texts: Texts, stars: int | None, points: int | None) -> str:
    if stars:
        return texts.t("digest.price.stars", stars=stars)
    if points:
        return texts.t("digest.price.points", points=points, count=points)
    return texts.t("digest.price.free")


def _item_line(env: NoticeEnv, item: list[Any]) -> str:
    item_id, title, stars, points = item[:4]
    link = anchor(deep_link(env.bot_username, ITEM, item_id), title, "")
    return env.t("digest.item", link=link, price=Raw(price_text(env, stars, points)))


def pick_reason(texts: Texts, pick: list[Any]) -> str:
    """Why an item was picked: [id, title, stars, points, reason, tag, because title] as the digest stores it."""
    reason, tag = pick[4], pick[5] or ""
    because = pick[6] if len(pick) > 6 else None
    if reason == "opened" and not because:
        reason = "interest" if tag else "popular"
    return texts.t(REASONS.get(reason, REASONS["popular"]), tag=tag, title=because or "")


def pick_button(env: Texts, pick: list[Any], unlock: bool = False) -> InlineKeyboardButton:
    """Open what is free, buy what has a Stars price, show the card for the rest (points, level, members).

    With `unlock`, an item sold for points only gets the button that unlocks it.
    """
    item_id, title, stars, points = pick[:4]
    if unlock and points and not stars:
        return InlineKeyboardButton(env.t("recommend.btn.unlock", title=short(title), points=points, count=points),
                                    callback_data=encode("p", item_id))
    if stars:
        return InlineKeyboardButton(env.t("digest.btn.buy", title=short(title), stars=stars),
                                    callback_data=encode("b", item_id))
    if not points:
        return InlineKeyboardButton(env.t("digest.btn.open", title=short(title)), callback_data=encode("o", item_id))
    return InlineKeyboardButton(env.t("digest.btn.card", title=short(title)), callback_data=encode("i", item_id))


def render_digest(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """A member's daily digest: new content, answers to their questions, questions to answer, picks, standing."""
    blocks = [env.t("digest.title", title=params["title"])]
    if params["new"]:
        blocks.append("\n".join([env.t("digest.new"), *(_item_line(env, item) for item in params["new"])]))
    if params["answers"]:
        lines = [env.t("digest.answers")]
        lines += [env.t("digest.answer", number=n, name=name, text=text) for n, name, text in params["answers"]]
        blocks.append("\n".join(lines))
    if params["questions"]:
        lines = [env.t("digest.questions")]
        lines += [env.t("digest.question", number=n, text=text) for n, text in params["questions"]]
        blocks.append("\n".join(lines))
    if params["picks"]:
        lines = [env.t("digest.picks")]
        for pick in params["picks"]:
            why = pick_reason(env, pick)
            lines.append(env.t("digest.pick", line=Raw(_item_line(env, pick)), why=why))
        blocks.append("\n".join(lines))
    standing = []
    if params.get("streak"):
        standing.append(env.t("digest.streak", days=Raw(env.t("unit.days", count=params["streak"]))))
    if params.get("rank"):
        standing.append(env.t("digest.rank", rank=params["rank"]))
    if standing:
        blocks.append(" · ".join(standing))
    rows = [[pick_button(env, pick)] for pick in params["picks"]]
    rows.append([InlineKeyboardButton(env.t("digest.btn.stop"), callback_data=STOP)])
    return Rendered("\n\n".join(blocks), InlineKeyboardMarkup(rows))


def render_group_digest(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """The group's daily or weekly digest: new content, hot and unanswered questions, the week's leaders."""
    blocks = [env.t("digest.group.weekly" if params["weekly"] else "digest.group.daily")]
    if params["new"]:
        lines = [env.t("digest.new")]
        lines += [env.t("digest.group.item", link=anchor(deep_link(env.bot_username, ITEM, item_id), title, ""))
                  for item_id, title in params["new"]]
        blocks.append("\n".join(lines))
    if params["hot"]:
        lines = [env.t("digest.group.hot")]
        lines += [env.t("digest.group.hot_line", number=n, text=text, count=answers) for n, text, answers in
                  params["hot"]]
        blocks.append("\n".join(lines))
    if params["unanswered"]:
        lines = [env.t("digest.group.unanswered")]
        lines += [env.t("digest.question", number=n, text=text) for n, text in params["unanswered"]]
        blocks.append("\n".join(lines))
    if params["leaders"]:
        leaders = [env.t("digest.group.leader", medal=MEDALS.get(rank, f"{rank}."), name=name, points=points)
                   for name, points, rank in params["leaders"]]
        blocks.append(env.t("digest.group.leaders", leaders=Raw(" · ".join(leaders))))
    return Rendered("\n\n".join(blocks))


def render_weekly_board(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """The weekly leaderboard post: top 10 with medals, and who gets the badge."""
    lines = [env.t("board.title")]
    for user_id, name, points, rank in params["leaders"]:
        place = Raw(MEDALS.get(rank, f"{rank}."))
        lines.append(env.t("board.line", rank=place, name=mention(user_id, name), points=points, count=points))
    winners = [mention(user_id, name) for user_id, name, _points, rank in params["leaders"] if rank <= 3]
    lines += ["", env.t("board.winners", names=Raw(listing(env, winners)), count=len(winners))]
    return Rendered("\n".join(lines))


def stop_reminders_button(env: Texts, switch: str | None) -> InlineKeyboardButton:
    """The "Stop these" button under a reminder of one kind (all reminders when the kind is not known)."""
    data = f"{STOP_REMINDERS}:{switch}" if switch else STOP_REMINDERS
    return InlineKeyboardButton(env.t("reminder.btn.stop"), callback_data=data)


def _stop_reminders(env: NoticeEnv, params: dict[str, Any]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[stop_reminders_button(env, params.get("switch"))]])


def render_inactive(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """A quiet member hears what is new in their community this week."""
    items = env.t("unit.items", count=params["items"])
    questions = env.t("unit.questions", count=params["questions"])
    text = env.t("reminder.inactive", title=params["title"], items=Raw(items), questions=Raw(questions))
    return Rendered(text, _stop_reminders(env, params))


def render_streak(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """A member's check-in streak ends at midnight unless they check in today."""
    days = env.t("unit.days", count=params["streak"])
    return Rendered(env.t("reminder.streak", title=params["title"], days=Raw(days)), _stop_reminders(env, params))


def render_unanswered(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """A question nobody answered for a day, put to a member who knows its topic."""
    text = env.t("reminder.unanswered", number=params["number"], title=params["title"], text=params["text"],
                 tag=params["tag"])
    return Rendered(text, _stop_reminders(env, params))


NOTICES: dict[str, NoticeRenderer] = {
    "reminders/inactive": render_inactive,
    "reminders/unanswered": render_unanswered,
    "reminders/streak": render_streak,
    "engagement/digest": render_digest,
    "engagement/group_digest": render_group_digest,
    "engagement/weekly_board": render_weekly_board,
}


def stats_text(texts: Texts, stats: DigestStats) -> str:
    """The admins' view of the last members' digest run: counts only, never who."""
    if stats.period is None:
        return texts.t("digest.stats.none")
    by_status = dict(stats.by_status)
    sent = by_status.pop("sent", 0)
    waiting = by_status.pop("pending", 0) + by_status.pop("sending", 0)
    return texts.t("digest.stats", period=stats.period, queued=stats.queued, skipped=stats.skipped, sent=sent,
                   waiting=waiting, failed=sum(by_status.values()))
