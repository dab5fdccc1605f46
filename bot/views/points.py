"""Points texts: level names, badge labels, the leaderboard, /me's points part, level-up and badge announcements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.i18n import Raw
from bot.services.leaderboard import Board, Profile
from bot.services.levels import progress_bar
from bot.views.base import NoticeEnv, NoticeRenderer, Rendered, Texts, listing, mention

# Catalog keys of the built-in level names, by level.
LEVEL_NAMES = {
    1: "level.name.1", 2: "level.name.2", 3: "level.name.3", 4: "level.name.4", 5: "level.name.5",
    6: "level.name.6", 7: "level.name.7", 8: "level.name.8", 9: "level.name.9",
}
# Catalog keys per badge: its label and why it is given.
BADGE_LABELS = {
    "newcomer": "badge.newcomer", "curious": "badge.curious", "helper": "badge.helper",
    "mentor": "badge.mentor", "on_fire": "badge.on_fire", "supporter": "badge.supporter",
    "top_week": "badge.top_week",
}
BADGE_REASONS = {
    "newcomer": "badge.why.newcomer", "curious": "badge.why.curious", "helper": "badge.why.helper",
    "mentor": "badge.why.mentor", "on_fire": "badge.why.on_fire", "supporter": "badge.why.supporter",
    "top_week": "badge.why.top_week",
}


# The leaderboard's title per period (days; 0 is all time), and the top three's medals.
BOARD_TITLES = {7: "top.title.7", 30: "top.title.30", 0: "top.title.0"}
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}


def level_name(texts: Texts, level: int, names: Sequence[str] = ()) -> str:
    """Return a level's display name: configured names win, else the translated defaults."""
    if names and 1 <= level <= len(names):
        return names[level - 1]
    if level in LEVEL_NAMES:
        return texts.t(LEVEL_NAMES[level])
    return texts.t("level.name.other", level=level)


def badge_label(texts: Texts, badge: str) -> str:
    """Return a badge's emoji and name."""
    return texts.t(BADGE_LABELS[badge]) if badge in BADGE_LABELS else badge


def render_board(texts: Texts, board: Board) -> str:
    """Render a leaderboard with medals, escaped names and the viewer's own place."""
    lines = [texts.t(BOARD_TITLES[board.period])]
    if not board.leaders:
        lines.append(texts.t("top.empty"))
    for standing in board.leaders:
        rank = Raw(MEDALS.get(standing.rank, f"{standing.rank}."))
        lines.append(texts.t("top.line", rank=rank, name=standing.name, points=standing.points))
    if board.viewer is None:
        lines += ["", texts.t("top.you_none")]
    elif not board.viewer_in_top:
        you = board.viewer
        lines += ["…", texts.t("top.you", rank=you.rank, points=you.points, count=you.points)]
    return "\n".join(lines)


def profile_lines(texts: Texts, profile: Profile, level_names: Sequence[str] = ()) -> list[str]:
    """Render the points part of /me for one community: points, level, progress, streak, ranks, badges."""
    step = profile.progress
    lines = [
        texts.t("me.points_balance", score=profile.score, balance=profile.balance, count=profile.score)
        if profile.balance != profile.score
        else texts.t("me.points", score=profile.score, count=profile.score),
        texts.t("me.level", level=step.level, name=level_name(texts, step.level, level_names)),
    ]
    bar = progress_bar(step.fraction(profile.score))
    if step.next_at is None:
        lines.append(texts.t("me.progress_top", bar=bar))
    else:
        left = step.next_at - profile.score
        lines.append(texts.t("me.progress", bar=bar, left=left, next=step.level + 1, count=left))
    if profile.streak:
        lines.append(texts.t("me.streak", streak=profile.streak, best=profile.best_streak))
    else:
        lines.append(texts.t("me.streak_none"))
    none = texts.t("me.rank_none")
    week = f"#{profile.rank_week}" if profile.rank_week else none
    lines.append(texts.t("me.rank", week=week, all=f"#{profile.rank_all}" if profile.rank_all else none))
    if profile.badges:
        lines.append(texts.t("me.badges", badges=listing(texts, (badge_label(texts, b) for b in profile.badges))))
    else:
        lines.append(texts.t("me.badges_none"))
    return lines


def render_level_ups(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Announce who reached which level, one line each, and how many more."""
    names = env.settings.points.level_names
    lines = [
        env.t(
            "points.level_up", mention=mention(user_id, name), level=level,
            name=level_name(env, level, names),
        )
        for user_id, name, level in params["ups"]
    ]
    if params.get("more"):
        lines.append(env.t("points.level_up_more", count=params["more"]))
    return Rendered("\n".join(lines))


def render_badge(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Announce a badge once in the group."""
    badge = params["badge"]
    return Rendered(env.t(
        "badge.announce", mention=mention(params["user_id"], params["name"]),
        badge=badge_label(env, badge), why=env.t(BADGE_REASONS[badge]),
    ))


NOTICES: dict[str, NoticeRenderer] = {
    "points/level_ups": render_level_ups,
    "points/badge": render_badge,
}
