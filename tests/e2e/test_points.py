"""Points end to end through the simulator: earning, farming limits, check-ins, levels, /top, /award."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.clock import FakeClock
from bot.runner import BotRunner
from bot.services.points import Grant, do_award_points
from tgsim import Simulator

from tests.fixtures import make_settings

LONG = "this message is long enough to earn a point"


async def points_of(runner: BotRunner, group, user) -> tuple[int, int]:
    """Return (score, balance) of a member, read from the bot's database once queued points are written."""
    await runner.app.bot_data.points_writer.flush()
    async with runner.app.bot_data.db.read() as repos:
        member = await repos.points.member(group.id, user.id)
    return (member.score, member.balance) if member else (0, 0)


async def settle(sim: Simulator, runner: BotRunner) -> None:
    """Wait until every update created so far was handled and its points written."""
    await runner.wait_processed(sim.last_update_id)
    await runner.app.bot_data.points_writer.flush()


@pytest.mark.flood_limits
async def test_spam_and_duplicates_earn_one_point(sim: Simulator, runner: BotRunner, clock: FakeClock, group, alice) -> None:
    await alice.join(group)
    await alice.send(group, LONG)
    first = sim.last_update_id
    for i in range(9):  # ten messages within a minute
        clock.advance(seconds=5)
        await alice.send(group, f"{LONG} ({i})")
    await settle(sim, runner)
    assert await points_of(runner, group, alice) == (1, 1)
    # The first message delivered twice more, after the cooldown: still one point.
    clock.advance(seconds=120)
    await runner.wait_processed(max(sim.duplicate_update(first, times=2)))
    assert await points_of(runner, group, alice) == (1, 1)
    # Short messages and commands earn nothing.
    await alice.send(group, "ok thanks")
    await settle(sim, runner)
    assert await points_of(runner, group, alice) == (1, 1)
    clock.advance(seconds=61)
    await alice.send(group, LONG)
    await settle(sim, runner)
    assert await points_of(runner, group, alice) == (2, 2)


async def test_cooldown_holds_across_a_restart(sim: Simulator, db_urls, clock: FakeClock, carol, alice) -> None:
    settings = make_settings(sim, db_urls("restart.db"))
    first = BotRunner(settings, sim.token, clock=clock)
    await first.start()
    group = sim.group("Python Circle", owner=carol, supergroup=True)
    try:
        await group.add_bot(by=carol, admin=True)
        await carol.expect(group, contains="Hello")
        await alice.join(group)
        await alice.send(group, LONG)
        await first.wait_processed(sim.last_update_id)
        assert await points_of(first, group, alice) == (1, 1)
    finally:
        await first.stop()
    second = BotRunner(settings, sim.token, clock=clock)
    await second.start()
    try:
        clock.advance(seconds=30)
        await alice.send(group, LONG + " again")
        await second.wait_processed(sim.last_update_id)
        assert await points_of(second, group, alice) == (1, 1)
        clock.advance(seconds=31)
        await alice.send(group, LONG + " later")
        await second.wait_processed(sim.last_update_id)
        assert await points_of(second, group, alice) == (2, 2)
    finally:
        await second.stop()


async def test_reactions_from_others_count_once_and_self_reactions_not(
    sim: Simulator, runner: BotRunner, group, alice, bob
) -> None:
    await alice.join(group)
    await bob.join(group)
    msg = await alice.send(group, LONG)
    await settle(sim, runner)
    await alice.react(msg, "👍")  # self-reaction
    await settle(sim, runner)
    assert await points_of(runner, group, alice) == (1, 1)
    await bob.react(msg, "❤️")
    reaction = sim.last_update_id
    await settle(sim, runner)
    assert await points_of(runner, group, alice) == (2, 2)
    await bob.react(msg, "🔥")  # the same reactor changing the reaction
    await bob.unreact(msg)
    await bob.react(msg, "👍")
    await runner.wait_processed(max(sim.duplicate_update(reaction, times=2)))
    assert await points_of(runner, group, alice) == (2, 2)
    assert await points_of(runner, group, bob) == (0, 0)


async def test_checkin_once_a_day_and_streak_across_the_community_midnight(
    sim: Simulator, runner: BotRunner, clock: FakeClock, group, carol, alice
) -> None:
    await carol.send(group, "/set timezone Asia/Shanghai")
    await carol.expect(group, contains="✅")
    clock.set(dt.datetime(2026, 1, 5, 15, 50, tzinfo=dt.UTC))  # 23:50 in Shanghai
    await alice.join(group)
    await alice.send(group, "/checkin")
    assert "+3 points" in (await alice.expect(group, contains="Checked in")).text
    await alice.send(group, "/checkin")
    await alice.expect(group, contains="already checked in")
    clock.advance(minutes=20)  # 00:10 in Shanghai, same UTC date
    await alice.send(group, "/checkin")
    second = await alice.expect(group, contains="Checked in")
    assert "+4 points" in second.text and "Streak: 2" in second.text
    assert await points_of(runner, group, alice) == (7, 7)


async def test_level_up_announced_once(sim: Simulator, runner: BotRunner, clock: FakeClock, group, carol, alice) -> None:
    await carol.send(group, "/set points.message 5")
    await carol.expect(group, contains="Saved. message: +")
    await alice.join(group)
    await alice.send(group, LONG)
    announcement = await alice.expect(group, contains="reached level 2")
    assert "Rookie" in announcement.text and "Alice" in announcement.text
    first = sim.last_update_id
    await carol.send(group, "/deduct @alice 4 testing")
    await carol.expect(group, contains="lost 4")
    clock.advance(seconds=61)
    await alice.send(group, LONG + " once more")  # back to level 2: no second announcement
    await runner.wait_processed(max(sim.duplicate_update(first, times=2)))
    await settle(sim, runner)
    assert sum("reached level 2" in m.content for m in sim.bot_messages(group)) == 1


async def test_level_announcements_can_be_switched_off(sim: Simulator, runner: BotRunner, group, carol, alice) -> None:
    await carol.send(group, "/set points.announce_levels off")
    await carol.expect(group, contains="Saved. level-up announcements")
    await alice.join(group)
    await settle(sim, runner)
    await carol.send(group, "/award @alice 30 welcome gift")
    await carol.expect(group, contains="+30")
    await settle(sim, runner)
    assert not [m for m in sim.bot_messages(group) if "reached level" in m.content]


async def test_top_shows_medals_escaped_names_and_the_callers_rank_at_57(
    sim: Simulator, runner: BotRunner, clock: FakeClock, group, alice, carol
) -> None:
    state = runner.app.bot_data
    # 60 members seeded one by one would each be announced (and queue up behind the group's flood limit).
    await carol.send(group, "/set points.announce_levels off")
    await carol.expect(group, contains="✅")
    await alice.join(group)
    await alice.send(group, LONG)
    await settle(sim, runner)
    async with state.db.transaction() as repos:
        for i in range(60):
            name = "<b>Eve</b>" if i == 0 else f"Member {i}"
            await repos.users.upsert(50_000 + i, name, None, None, None, False, clock.now())
    for i in range(60):
        grant = Grant(group.id, 50_000 + i, 600 - i * 10 - (1 if i > 55 else 0), "seed", f"seed:{i}")
        await do_award_points(state.db, state.scoring, clock, grant)
    # 39 in all
    await do_award_points(state.db, state.scoring, clock, Grant(group.id, alice.id, 38, "seed", "seed:alice"))
    await alice.send(group, "/top")
    top = await alice.expect(group, contains="Top members")
    assert "last 7 days" in top.text
    assert "🥇 <b>Eve</b> — 600" in top.text  # shown literally: the name was sent HTML-escaped
    assert "🥈 Member 1 — 590" in top.text and "10. Member 9" in top.text
    assert "You: #57 with 39 points" in top.text
    await alice.send(group, "/top all")
    assert "all time" in (await alice.expect(group, contains="Top members")).text
    await alice.send(group, "/top 30d")
    assert "last 30 days" in (await alice.expect(group, contains="Top members")).text
    await alice.send(group, "/top forever")
    await alice.expect(group, contains="Usage: /top")


async def test_award_and_deduct_are_for_admins_and_audited(
    sim: Simulator, runner: BotRunner, group, carol, alice, bob
) -> None:
    await alice.join(group)
    await bob.join(group)
    await alice.send(group, "/award @bob 10 nice")
    await alice.expect(group, contains="Only the community's admins")
    await carol.send(group, "/award @bob 10 great answer")
    await carol.expect(group, contains="got +10")
    bobs = await bob.send(group, LONG)
    await carol.reply(bobs, "/deduct 3 off-topic")
    await carol.expect(group, contains="lost 3")
    await carol.send(group, "/award @bob")
    await carol.expect(group, contains="Usage: /award")
    await carol.send(group, "/deduct @bob 500 too much")
    await carol.expect(group, contains="so you can deduct at most")
    await carol.send(group, "/award @nobody 5 who")
    await carol.expect(group, contains="don't know that member")
    await settle(sim, runner)
    assert await points_of(runner, group, bob) == (8, 8)  # 10 - 3, plus 1 for the message
    async with runner.app.bot_data.db.read() as repos:
        actions = [(e.action, e.target_user_id) for e in await repos.audit.list(group.id)]
    assert actions.count(("points.admin_award", bob.id)) == 1 and actions.count(("points.admin_deduct", bob.id)) == 1


async def test_me_shows_points_level_streak_rank_and_badges(sim: Simulator, runner: BotRunner, group, alice) -> None:
    await alice.join(group)
    await alice.send(group, "/checkin")
    await alice.expect(group, contains="Checked in")
    await alice.send(group, "/me")
    me = await alice.expect(group, contains="Level")
    for part in ("3 points", "Level 1 — Newbie", "2 more points to level 2", "streak: 1", "Rank: #1 this week · #1 all time"):
        assert part in me.text, part
    assert "▰" in me.text


async def test_points_texts_in_chinese(sim: Simulator, runner: BotRunner, group, carol, bob) -> None:
    await carol.send(group, "/set language zh")
    await carol.expect(group, contains="✅")
    await bob.join(group)
    await bob.send(group, "/checkin")
    assert "签到成功" in (await bob.expect(group, contains="签到")).text
    await bob.send(group, "/top")
    assert "积分榜" in (await bob.expect(group, contains="积分榜")).text


async def test_top_and_checkin_in_private_say_where_they_work(sim: Simulator, runner: BotRunner, alice) -> None:
    await alice.start()
    await alice.expect()
    await alice.send(None, "/top")
    await alice.expect(contains="community group")


async def test_points_rules_are_for_admins_and_listed_in_settings(
    sim: Simulator, runner: BotRunner, group, carol, alice
) -> None:
    await alice.join(group)
    await alice.send(group, "/set points.message 100")
    await alice.expect(group, contains="Only the community's admins")
    await carol.send(group, "/set points.message_cooldown 120")
    await carol.expect(group, contains="message cooldown: 120 s")
    await carol.send(group, "/set points.bogus 1")
    listing = await carol.expect(group, contains="Usage")  # an unknown name gets the list of settings
    assert "/set points.message_cooldown <0–86400>" in listing.text and "points.bogus" not in listing.text
    await carol.send(group, "/settings")
    shown = await carol.expect(group, contains="Points")
    assert "message cooldown: 120 s" in shown.text and "message: +1" in shown.text
