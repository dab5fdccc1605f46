"""Earning rules against a real database: messages, reactions, check-ins, hooks, badges."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.config import PointsConfig
from bot.errors import InsufficientPoints, NotFound, Usage
from bot.services.earning import (
    MessageSeen,
    ReactionSeen,
    award_accepted_answer,
    award_answer,
    award_onboarding,
    award_question,
    do_checkin,
    do_record_events,
)
from bot.services.points import Grant, do_award_points, spend_points
from bot.services.points_admin import Adjustment, do_adjust_points, get_member_id
from bot.services.points_rules import do_set_points_rule

from points_world import World, make_world
from tests.databases import DbUrls


async def say(w: World, user, message_id: int, text: str = "a message long enough") -> object:
    return (await do_record_events(w.db, w.scoring, w.clock, [MessageSeen(w.group, user, message_id, len(text))]))[0]


async def react(w: World, user, message_id: int, new: tuple[str, ...] = ("👍",), old: tuple[str, ...] = ()) -> object:
    event = ReactionSeen(w.group, user, message_id, old, new)
    return (await do_record_events(w.db, w.scoring, w.clock, [event]))[0]


async def score(w: World, user_id: int) -> tuple[int, int]:
    async with w.db.read() as repos:
        member = await repos.points.member(w.group, user_id)
    return (member.score, member.balance) if member else (0, 0)


async def test_message_earns_once_per_cooldown_and_short_or_bot_messages_nothing(world: World) -> None:
    w = world
    assert (await say(w, w.alice, 1)).applied
    assert await say(w, w.alice, 2) is None  # within 60 s
    w.clock.advance(seconds=61)
    assert (await say(w, w.alice, 3)).applied
    w.clock.advance(seconds=61)
    assert await say(w, w.alice, 4, "too short") is None
    assert await say(w, w.robot, 5) is None
    assert await score(w, w.alice.id) == (2, 2)
    assert await score(w, w.robot.id) == (0, 0)


async def test_spam_burst_earns_one_point(world: World) -> None:
    w = world
    events = []
    for i in range(10):
        events.append(MessageSeen(w.group, w.alice, 100 + i, 30))
    awards = await do_record_events(w.db, w.scoring, w.clock, events[:5])
    for event in events[5:]:
        w.clock.advance(seconds=5)
        awards += await do_record_events(w.db, w.scoring, w.clock, [event])
    assert sum(1 for a in awards if a and a.applied) == 1
    assert await score(w, w.alice.id) == (1, 1)


async def test_daily_cap_resets_on_the_next_local_day(world: World) -> None:
    w = world
    await do_set_points_rule(w.db, w.scoring, w.clock, w.group, w.carol.id, "points.message_daily_cap", "3")
    for i in range(6):
        await say(w, w.alice, 10 + i)
        w.clock.advance(minutes=2)
    assert await score(w, w.alice.id) == (3, 3)
    w.clock.advance(days=1)
    assert (await say(w, w.alice, 50)).applied


async def test_same_message_twice_awards_once(world: World) -> None:
    w = world
    assert (await say(w, w.alice, 7)).applied
    w.clock.advance(minutes=5)
    replay = await say(w, w.alice, 7)
    assert replay is not None and not replay.applied
    assert await score(w, w.alice.id) == (1, 1)


async def test_reactions_credit_the_author_once_per_reactor(world: World) -> None:
    w = world
    await say(w, w.alice, 1)
    assert (await react(w, w.bob, 1)).applied
    assert not (await react(w, w.bob, 1, ("🔥",), ("👍",))).applied  # same reactor, same message
    assert await react(w, w.alice, 1) is None  # self-reaction
    assert await react(w, w.robot, 1) is None  # bots give nothing
    assert await react(w, w.carol, 1, ("😢",)) is None  # not a counted emoji
    assert (await react(w, w.carol, 1, ("❤",))).applied  # Telegram's heart without VS16
    assert await react(w, w.bob, 999) is None  # a message the bot never saw
    assert await score(w, w.alice.id) == (3, 3)


async def test_reactor_daily_giving_cap(world: World) -> None:
    w = world
    await do_set_points_rule(w.db, w.scoring, w.clock, w.group, w.carol.id, "points.reaction_daily_cap", "2")
    for i in range(4):
        await say(w, w.alice, 10 + i)
        w.clock.advance(minutes=2)
    awards = [await react(w, w.bob, 10 + i) for i in range(4)]
    assert [bool(a and a.applied) for a in awards] == [True, True, False, False]


async def test_message_and_its_reaction_in_one_batch(world: World) -> None:
    w = world
    events = [MessageSeen(w.group, w.alice, 5, 40), ReactionSeen(w.group, w.bob, 5, (), ("👍",))]
    awards = await do_record_events(w.db, w.scoring, w.clock, events)
    assert all(a is not None and a.applied for a in awards)
    assert await score(w, w.alice.id) == (2, 2)


async def test_checkin_once_a_day_with_streak_across_local_midnight(db_urls: DbUrls) -> None:
    # 23:50 in Shanghai on Jan 5 is 15:50 UTC.
    w = await make_world(db_urls("p.db"), dt.datetime(2026, 1, 5, 15, 50, tzinfo=dt.UTC), timezone="Asia/Shanghai")
    try:
        first = await do_checkin(w.db, w.scoring, w.clock, w.group, w.alice)
        assert (first.done, first.streak, first.points) == (True, 1, 3)
        again = await do_checkin(w.db, w.scoring, w.clock, w.group, w.alice)
        assert not again.done
        w.clock.advance(minutes=20)  # 00:10 local: a new day although UTC's date did not change
        second = await do_checkin(w.db, w.scoring, w.clock, w.group, w.alice)
        assert (second.done, second.streak, second.points) == (True, 2, 4)
        w.clock.advance(days=2)  # a day missed
        third = await do_checkin(w.db, w.scoring, w.clock, w.group, w.alice)
        assert (third.streak, third.points) == (1, 3)
    finally:
        await w.db.close()


async def test_seven_day_streak_caps_bonus_and_earns_on_fire_once(world: World) -> None:
    w = world
    results = []
    for _ in range(10):
        results.append(await do_checkin(w.db, w.scoring, w.clock, w.group, w.alice))
        w.clock.advance(days=1)
    assert [r.points for r in results] == [3, 4, 5, 6, 7, 8, 9, 10, 10, 10]
    async with w.db.read() as repos:
        assert await repos.badges.of(w.group, w.alice.id) == ["on_fire"]
        queued = await repos.outbox.list_for_chat(w.group)
    assert [m.params["badge"] for m in queued if m.kind == "points/badge"] == ["on_fire"]


async def test_level_up_is_announced_once_per_level(world: World) -> None:
    w = world
    first = await do_award_points(w.db, w.scoring, w.clock, Grant(w.group, w.alice.id, 5, "test", "k1"))
    assert first.level_up == 2
    await do_adjust_points(w.db, w.scoring, w.clock, Adjustment(w.group, w.carol.id, w.alice.id, -3, "oops", "k2"))
    again = await do_award_points(w.db, w.scoring, w.clock, Grant(w.group, w.alice.id, 3, "test", "k3"))
    assert again.level_up is None
    async with w.db.read() as repos:
        due = await repos.outbox.due(w.clock.now(), 50)
    level_ups = [m.params["ups"] for m in due if m.kind == "points/level_ups"]
    assert level_ups == [[[w.alice.id, "Alice", 2]]]


async def test_level_announcements_can_be_turned_off(world: World) -> None:
    w = world
    await do_set_points_rule(w.db, w.scoring, w.clock, w.group, w.carol.id, "points.announce_levels", "off")
    award = await do_award_points(w.db, w.scoring, w.clock, Grant(w.group, w.alice.id, 30, "test", "k1"))
    assert award.level_up == 3
    async with w.db.read() as repos:
        assert not [m for m in await repos.outbox.list_for_chat(w.group) if m.kind == "points/level_ups"]


async def test_qa_hooks_refuse_self_dealing_and_award_badges(world: World) -> None:
    w = world
    now = w.clock.now()
    async with w.db.transaction() as repos:
        asked = await award_question(repos, w.scoring, w.group, w.alice.id, "q1", now)
        assert asked.applied and asked.delta == 2
        assert await award_answer(repos, w.scoring, w.group, w.alice.id, w.alice.id, "a0", now) is None
        assert (await award_answer(repos, w.scoring, w.group, w.bob.id, w.alice.id, "a1", now)).delta == 2
        assert await award_accepted_answer(repos, w.scoring, w.group, w.alice.id, w.alice.id, "q1", now) is None
        answerer, asker = await award_accepted_answer(repos, w.scoring, w.group, w.bob.id, w.alice.id, "q1", now)
        assert (answerer.delta, asker.delta) == (15, 2)
        badges = [m.params["badge"] for m in await repos.outbox.list_for_chat(w.group) if m.kind == "points/badge"]
        assert badges == ["curious", "helper"]
        replay = await award_accepted_answer(repos, w.scoring, w.group, w.bob.id, w.alice.id, "q1", now)
        assert not replay[0].applied and not replay[1].applied
        onboarded = await award_onboarding(repos, w.scoring, w.group, w.carol.id, now)
        assert onboarded.delta == 10 and not (await award_onboarding(repos, w.scoring, w.group, w.carol.id, now)).applied
        assert await repos.badges.of(w.group, w.bob.id) == ["helper"]
        assert await repos.badges.of(w.group, w.alice.id) == ["curious"]


async def test_mentor_after_ten_accepted_answers(world: World) -> None:
    w = world
    async with w.db.transaction() as repos:
        for i in range(10):
            await award_accepted_answer(repos, w.scoring, w.group, w.bob.id, w.alice.id, f"q{i}", w.clock.now())
        assert await repos.badges.of(w.group, w.bob.id) == ["helper", "mentor"]


async def test_question_points_capped_per_day(world: World) -> None:
    w = world
    async with w.db.transaction() as repos:
        awards = [await award_question(repos, w.scoring, w.group, w.alice.id, f"q{i}", w.clock.now()) for i in range(7)]
    assert [a.applied for a in awards] == [True] * 5 + [False] * 2


async def test_spending_moves_balance_not_score_and_never_below_zero(world: World) -> None:
    w = world
    await do_award_points(w.db, w.scoring, w.clock, Grant(w.group, w.alice.id, 20, "test", "k1"))
    async with w.db.transaction() as repos:
        spent = await spend_points(repos, w.scoring, Grant(w.group, w.alice.id, -15, "unlock", "u1"), w.clock.now())
        assert spent.applied and (spent.score, spent.balance) == (20, 5)
    with pytest.raises(InsufficientPoints):
        async with w.db.transaction() as repos:
            await spend_points(repos, w.scoring, Grant(w.group, w.alice.id, -6, "unlock", "u2"), w.clock.now())
    async with w.db.transaction() as repos:  # a replay of a spent key is a no-op, not an error
        replay = await spend_points(repos, w.scoring, Grant(w.group, w.alice.id, -15, "unlock", "u1"), w.clock.now())
        assert not replay.applied
    with pytest.raises(ValueError):  # a spend's delta is what it takes: negative
        async with w.db.transaction() as repos:
            await spend_points(repos, w.scoring, Grant(w.group, w.alice.id, 5, "unlock", "u3"), w.clock.now())
    assert await score(w, w.alice.id) == (20, 5)


async def test_admin_adjustments_are_audited_and_checked(world: World) -> None:
    w = world
    bob_id = await get_member_id(w.db, w.group, "@BOB")
    first = Adjustment(w.group, w.carol.id, bob_id, 10, "great answer", "a:1")
    award = await do_adjust_points(w.db, w.scoring, w.clock, first)
    assert award.applied and award.balance == 10
    again = await do_adjust_points(w.db, w.scoring, w.clock, Adjustment(w.group, w.carol.id, bob_id, 10, "x", "a:1"))
    assert not again.applied
    with pytest.raises(InsufficientPoints):
        await do_adjust_points(w.db, w.scoring, w.clock, Adjustment(w.group, w.carol.id, bob_id, -11, "spam", "a:2"))
    with pytest.raises(Usage):
        await do_adjust_points(w.db, w.scoring, w.clock, Adjustment(w.group, w.carol.id, w.carol.id, 5, "me", "a:3"))
    with pytest.raises(Usage):
        await do_adjust_points(w.db, w.scoring, w.clock, Adjustment(w.group, w.carol.id, w.robot.id, 5, "bot", "a:4"))
    with pytest.raises(NotFound):
        await get_member_id(w.db, w.group, "nobody_here")
    async with w.db.read() as repos:
        entries = await repos.audit.list(w.group)
    assert [(e.action, e.target_user_id, e.details["amount"]) for e in entries] == [("points.admin_award", bob_id, 10)]


async def test_points_rules_validation(world: World) -> None:
    w = world
    with pytest.raises(Usage):
        await do_set_points_rule(w.db, w.scoring, w.clock, w.group, w.carol.id, "points.nonsense", "1")
    with pytest.raises(Usage):
        await do_set_points_rule(w.db, w.scoring, w.clock, w.group, w.carol.id, "points.message", "-1")
    with pytest.raises(Usage):
        await do_set_points_rule(w.db, w.scoring, w.clock, w.group, w.carol.id, "points.announce_levels", "maybe")
    assert await do_set_points_rule(w.db, w.scoring, w.clock, w.group, w.carol.id, "points.message", "3") == "3"
    assert (await say(w, w.alice, 1)).delta == 3
    assert await do_set_points_rule(w.db, w.scoring, w.clock, w.group, w.carol.id, "points.message", "reset") == "1"
    w.clock.advance(minutes=2)
    assert (await say(w, w.alice, 2)).delta == 1


async def test_cooldown_survives_a_restart(db_urls: DbUrls, t0: dt.datetime) -> None:
    w = await make_world(db_urls("p.db"), t0, PointsConfig())
    assert (await say(w, w.alice, 1)).applied
    await w.db.close()
    # A new process: fresh caches, same database.
    from bot.services.points_rules import Scoring
    from storage.db import Database

    db = await Database.open(db_urls('p.db'))
    try:
        again = World(db, w.clock, Scoring(PointsConfig()), w.group, w.alice, w.bob, w.carol, w.robot)
        w.clock.advance(seconds=30)
        assert await say(again, w.alice, 2) is None
        w.clock.advance(seconds=31)
        assert (await say(again, w.alice, 3)).applied
    finally:
        await db.close()
