"""Leaderboards, ranks and the points part of /me; reads of the running totals only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.clock import Clock
from bot.errors import NotFound
from bot.services.levels import Progress, progress
from bot.services.points import WINDOWS, roll_windows
from bot.services.points_rules import Scoring, local_day
from storage.db import Database
from storage.repos import Repos
from storage.repos.boards import BoardRows
from storage.repos.points import ALL_TIME

# Period names as /top takes them; 0 is all time.
PERIODS: dict[str, int] = {"7d": 7, "30d": 30, "all": ALL_TIME}
DEFAULT_PERIOD = 7
T = TypeVar("T")
TOP_SIZE = 10


@dataclass(frozen=True)
class Standing:
    """One member's place in a period: rank 1 is best; equal points share a rank."""

    rank: int
    user_id: int
    name: str
    points: int


@dataclass(frozen=True)
class Board:
    """A period's leaders and the viewer's own standing (None: no points in the period)."""

    period: int
    leaders: list[Standing]
    viewer: Standing | None

    @property
    def viewer_in_top(self) -> bool:
        """Tell whether the viewer is listed among the leaders."""
        return self.viewer is not None and any(s.user_id == self.viewer.user_id for s in self.leaders)


@dataclass(frozen=True)
class Profile:
    """The points part of /me."""

    community_id: int
    title: str
    language: str
    score: int
    balance: int
    progress: Progress
    streak: int
    best_streak: int
    checked_in_today: bool
    badges: list[str]
    rank_week: int | None
    rank_all: int | None


def parse_period(arg: str | None) -> int | None:
    """Return the period in days for /top's argument (0: all time), or None when unknown."""
    if arg is None or not arg.strip():
        return DEFAULT_PERIOD
    return PERIODS.get(arg.strip().lower())


@dataclass(frozen=True)
class _Seen:
    title: str
    language: str
    today: int


async def _reading(db: Database, clock: Clock, community_id: int, read: Callable[[Repos, _Seen], Awaitable[T]]) -> T:
    """Run read in a read transaction (the windows are as the last write or do_roll_windows left them)."""
    async with db.read() as repos:
        community = (await repos.points.communities([community_id])).get(community_id)
        if community is None:
            raise NotFound()
        today = local_day(clock.now(), community.timezone)
        return await read(repos, _Seen(community.title, community.language, today))


async def do_roll_windows(db: Database, clock: Clock, community_id: int) -> bool:
    """Bring a community's windowed totals forward to its current local day; True if they moved.

    Call it before reading a leaderboard or a profile: the first read of a new local day
    rolls the windows once (a cheap read otherwise).
    """
    async with db.read() as repos:
        community = (await repos.points.communities([community_id])).get(community_id)
        if community is None:
            return False
        if community.windows_day is not None and community.windows_day >= local_day(clock.now(), community.timezone):
            return False
    async for attempt in db.retrying():
        async with attempt as repos:
            community = (await repos.points.communities([community_id])).get(community_id)
            if community is None:
                return False
            today = local_day(clock.now(), community.timezone)
            # PostgreSQL: read the windows' day again under the community's points lock, so one roll happens.
            locked = await repos.points.lock_communities({community_id: today})
            before = locked.get(community_id, community.windows_day)
            moved = await roll_windows(repos, community_id, before, today) != before
    return moved


async def get_rank(db: Database, clock: Clock, community_id: int, period: int, user_id: int) -> tuple[int, int] | None:
    """Return (rank, points) of a member in a period, or None without points there (one statement)."""
    return (await _standing(db, community_id, period, 0, user_id)).rank


async def _standing(
    db: Database, community_id: int, period: int, limit: int, viewer_id: int | None
) -> BoardRows:
    """Read the board in one statement (the windows are as the last write or do_roll_windows left them)."""
    async with db.snapshot() as repos:
        standing = await repos.boards.standing(community_id, period, limit, viewer_id)
    if standing.timezone is None:
        raise NotFound()
    return standing


async def get_leaderboard(
    db: Database, clock: Clock, community_id: int, period: int, viewer_id: int | None, limit: int = TOP_SIZE
) -> Board:
    """Return the top members of a period with ranks, and the viewer's own standing (one statement)."""
    return _board(period, await _standing(db, community_id, period, limit, viewer_id), viewer_id)


async def do_show_leaderboard(
    db: Database, clock: Clock, community_id: int, period: int, viewer_id: int | None, limit: int = TOP_SIZE
) -> Board:
    """Return the board as /top shows it: do_roll_windows, then get_leaderboard, in one read transaction.

    The windows' day is read in the board's own statement, so every read but a local day's
    first costs one statement (the first rolls the windows, then reads again).
    """
    standing = await _standing(db, community_id, period, limit, viewer_id)
    assert standing.timezone is not None
    if standing.windows_day is None or standing.windows_day < local_day(clock.now(), standing.timezone):
        await do_roll_windows(db, clock, community_id)
        return await get_leaderboard(db, clock, community_id, period, viewer_id, limit)
    return _board(period, standing, viewer_id)


def _board(period: int, standing: BoardRows, viewer_id: int | None) -> Board:
    top, mine = standing.top, standing.rank
    # The viewer's name only shows when they are among the leaders.
    viewer_name = next((n for uid, _, n in top if uid == viewer_id), "")
    leaders: list[Standing] = []
    for position, (user_id, points, name) in enumerate(top, start=1):
        rank = leaders[-1].rank if leaders and leaders[-1].points == points else position
        leaders.append(Standing(rank, user_id, name, points))
    viewer = None
    if mine is not None and viewer_id is not None:
        viewer = Standing(mine[0], viewer_id, viewer_name, mine[1])
    return Board(period, leaders, viewer)


async def get_profile(db: Database, scoring: Scoring, clock: Clock, community_id: int, user_id: int) -> Profile:
    """Return a member's points, level progress, streak, badges and ranks in a community."""

    async def read(repos: Repos, seen: _Seen) -> Profile:
        rules = await scoring.rules(repos, community_id)
        member = await repos.points.member(community_id, user_id)
        badges = await repos.badges.of(community_id, user_id)
        week = await repos.points.rank(community_id, WINDOWS[0], user_id)
        ever = await repos.points.rank(community_id, ALL_TIME, user_id)
        score = member.score if member else 0
        checkin_day = member.checkin_day if member else None
        streak = member.streak if member and checkin_day is not None and checkin_day >= seen.today - 1 else 0
        return Profile(
            community_id,
            seen.title,
            seen.language,
            score,
            member.balance if member else 0,
            progress(score, rules.levels),
            streak,
            member.best_streak if member else 0,
            checkin_day == seen.today,
            badges,
            week[0] if week else None,
            ever[0] if ever else None,
        )

    return await _reading(db, clock, community_id, read)
