"""Leaderboards: ranks with ties, the viewer outside the top, windows rolling over days."""

from __future__ import annotations

from bot.services.leaderboard import do_roll_windows, get_leaderboard, get_profile, get_rank, parse_period
from bot.services.points import Grant, do_award_points
from bot.services.points_admin import Adjustment, do_adjust_points

from points_world import World


async def _give(w: World, user_id: int, points: int, key: str) -> None:
    await do_award_points(w.db, w.scoring, w.clock, Grant(w.group, user_id, points, "test", key))


async def _add_people(w: World, count: int) -> list[int]:
    ids = list(range(20_000, 20_000 + count))
    async with w.db.transaction() as repos:
        for uid in ids:
            await repos.users.upsert(uid, f"Member {uid}", None, None, None, False, w.clock.now())
    return ids


def test_parse_period() -> None:
    assert parse_period(None) == 7 and parse_period("") == 7
    assert parse_period("30d") == 30 and parse_period("ALL") == 0 and parse_period("7d") == 7
    assert parse_period("week") is None


async def test_top_ten_with_shared_ranks_and_viewer_at_57(world: World) -> None:
    w = world
    ids = await _add_people(w, 60)
    for i, uid in enumerate(ids):
        await _give(w, uid, 1000 - i * 10 if i != 1 else 1000, f"k{uid}")  # the first two tie
    viewer = ids[56]
    board = await get_leaderboard(w.db, w.clock, w.group, 7, viewer)
    assert len(board.leaders) == 10
    assert [s.rank for s in board.leaders[:3]] == [1, 1, 3]
    assert board.viewer is not None and (board.viewer.rank, board.viewer.points) == (57, 440)
    assert not board.viewer_in_top
    assert await get_rank(w.db, w.clock, w.group, 0, viewer) == (57, 440)
    top = await get_leaderboard(w.db, w.clock, w.group, 0, ids[0])
    assert top.viewer_in_top and top.leaders[0].name.startswith("Member")


async def test_viewer_without_points_has_no_standing(world: World) -> None:
    w = world
    await _give(w, w.alice.id, 5, "a")
    board = await get_leaderboard(w.db, w.clock, w.group, 7, w.bob.id)
    assert board.viewer is None and [s.user_id for s in board.leaders] == [w.alice.id]


async def test_windows_roll_as_days_pass(world: World) -> None:
    w = world
    await _give(w, w.alice.id, 5, "d0")
    w.clock.advance(days=3)
    await _give(w, w.bob.id, 7, "d3")
    await _give(w, w.alice.id, 1, "d3a")

    async def totals(period: int) -> dict[int, int]:
        await do_roll_windows(w.db, w.clock, w.group)
        board = await get_leaderboard(w.db, w.clock, w.group, period, None)
        return {s.user_id: s.points for s in board.leaders}

    assert await totals(7) == {w.alice.id: 6, w.bob.id: 7}
    w.clock.advance(days=4)  # day 7: day 0 left the 7-day window
    assert await totals(7) == {w.alice.id: 1, w.bob.id: 7}
    assert await totals(30) == {w.alice.id: 6, w.bob.id: 7}
    w.clock.advance(days=3)  # day 10: everything left the 7-day window
    assert await totals(7) == {}
    w.clock.advance(days=25)  # day 35
    assert await totals(30) == {}
    assert await totals(0) == {w.alice.id: 6, w.bob.id: 7}


async def test_deductions_lower_windows_and_profile(world: World) -> None:
    w = world
    await _give(w, w.alice.id, 30, "a")
    await do_adjust_points(w.db, w.scoring, w.clock, Adjustment(w.group, w.carol.id, w.alice.id, -10, "spam", "d"))
    assert await get_rank(w.db, w.clock, w.group, 7, w.alice.id) == (1, 20)
    profile = await get_profile(w.db, w.scoring, w.clock, w.group, w.alice.id)
    assert (profile.score, profile.progress.level, profile.progress.next_at) == (20, 3, 65)
    assert (profile.rank_week, profile.rank_all, profile.streak) == (1, 1, 0)


async def test_the_board_as_top_shows_it_rolls_the_windows_on_a_new_day(world: World) -> None:
    from bot.services.leaderboard import do_show_leaderboard

    w = world
    await _give(w, w.alice.id, 5, "d0")
    w.clock.advance(days=3)
    await _give(w, w.bob.id, 7, "d3")
    w.clock.advance(days=4)  # day 7: day 0 left the 7-day window, and nothing rolled it yet
    board = await do_show_leaderboard(w.db, w.clock, w.group, 7, w.alice.id)
    assert [(s.user_id, s.points) for s in board.leaders] == [(w.bob.id, 7)] and board.viewer is None
    again = await do_show_leaderboard(w.db, w.clock, w.group, 0, w.alice.id)
    assert again.viewer is not None and (again.viewer.rank, again.viewer.points) == (2, 5)
    assert again == await get_leaderboard(w.db, w.clock, w.group, 0, w.alice.id)
