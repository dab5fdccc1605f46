"""Known members cost no write: a member's rows are written on first sight and when they change."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from bot.services.communities import UserInfo
from bot.services.earning import MessageSeen, do_checkin, do_record_events
from bot.services.known_members import KnownMembers, Profile

from points_world import World


@contextmanager
def statements(w: World) -> Iterator[list[str]]:
    """Collect the SQL statements run meanwhile."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(" ".join(statement.split()))

    engine = w.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _writes(seen: list[str]) -> list[str]:
    return [s for s in seen if s.startswith(("INSERT INTO users", "INSERT INTO memberships", "UPDATE users",
                                              "UPDATE memberships"))]


def _reads(seen: list[str]) -> list[str]:
    return [s for s in seen if s.startswith("SELECT") and ("FROM users" in s or "FROM memberships" in s)]


async def say(w: World, user: UserInfo, message_id: int) -> None:
    await do_record_events(w.db, w.scoring, w.clock, [MessageSeen(w.group, user, message_id, 30)])


async def stored(w: World, user_id: int) -> tuple[str, str | None, str | None, str | None]:
    async with w.db.read() as repos:
        user = await repos.users.get(user_id)
    assert user is not None
    return user.first_name, user.last_name, user.username, user.language_code


async def test_a_known_member_costs_no_read_or_write_of_their_rows(world: World) -> None:
    w = world
    await say(w, w.alice, 1)  # first sight in this process: one read, nothing to write (stored already)
    await say(w, w.alice, 2)
    with statements(w) as seen:
        for message_id in range(3, 13):
            await say(w, w.alice, message_id)
    assert _writes(seen) == [] and _reads(seen) == []


async def test_a_new_member_is_stored_once(world: World) -> None:
    w = world
    dave = UserInfo(4040, "Dave", None, "dave", "en")
    with statements(w) as seen:
        await say(w, dave, 1)
        await say(w, dave, 2)
        await say(w, dave, 3)
    writes = _writes(seen)
    assert sum(s.startswith("INSERT INTO users") for s in writes) == 1
    assert sum(s.startswith("INSERT INTO memberships") for s in writes) == 1
    async with w.db.read() as repos:
        assert (await repos.memberships.get(w.group, dave.id)).status == "member"
    assert await stored(w, dave.id) == ("Dave", None, "dave", "en")


async def test_a_name_change_is_written_at_the_next_message(world: World) -> None:
    w = world
    await say(w, w.alice, 1)
    await say(w, w.alice, 2)
    renamed = dataclasses.replace(w.alice, first_name="Alicia", username="alicia")
    with statements(w) as seen:
        await say(w, renamed, 3)
    assert sum(s.startswith("INSERT INTO users") for s in _writes(seen)) == 1
    assert (await stored(w, w.alice.id))[0::2] == ("Alicia", "alicia")
    with statements(w) as seen:
        await say(w, renamed, 4)
        await say(w, renamed, 5)
    assert _writes(seen) == []


async def test_an_unknown_language_keeps_the_stored_one_and_writes_nothing(world: World) -> None:
    w = world
    await say(w, w.alice, 1)
    language = (await stored(w, w.alice.id))[3]
    assert language is not None
    with statements(w) as seen:
        await say(w, dataclasses.replace(w.alice, language_code=None), 2)
    assert _writes(seen) == []
    assert (await stored(w, w.alice.id))[3] == language


async def test_a_row_written_elsewhere_is_forgotten_and_the_member_restored_as_seen(world: World) -> None:
    w = world
    await say(w, w.alice, 1)
    await say(w, w.alice, 2)
    async with w.db.transaction() as repos:  # e.g. a chat_member update with an older name
        await repos.users.upsert(w.alice.id, "Old Name", None, None, None, False, w.clock.now())
    await say(w, w.alice, 3)
    assert (await stored(w, w.alice.id))[0] == w.alice.first_name


async def test_checkin_stores_a_new_member_too(world: World) -> None:
    w = world
    erin = UserInfo(5050, "Erin", "E", None, "zh")
    assert (await do_checkin(w.db, w.scoring, w.clock, w.group, erin)).done
    assert await stored(w, erin.id) == ("Erin", "E", None, "zh")
    async with w.db.read() as repos:
        assert await repos.memberships.get(w.group, erin.id) is not None


def test_a_learn_from_before_a_forget_is_dropped() -> None:
    known = KnownMembers()
    alice = UserInfo(1, "Alice", None, None, "en")
    profile = Profile("Alice", None, None, "en")
    generation = known.generation
    known.forget({1})  # another transaction wrote Alice's row while this writer ran
    known.learn([(-100, 1, profile)], generation)
    assert not known.current(-100, alice)
    known.learn([(-100, 1, profile)], known.generation)
    assert known.current(-100, alice)
    assert not known.current(-200, alice)  # no membership known there
    assert not known.current(-100, dataclasses.replace(alice, last_name="A"))


def test_the_cache_is_bounded() -> None:
    known = KnownMembers(limit=10)
    for user_id in range(25):
        known.learn([(-100, user_id, Profile("U", None, None, None))], known.generation)
    assert known.current(-100, UserInfo(24, "U", None, None, None))
    assert not known.current(-100, UserInfo(0, "U", None, None, None))
    for user_id in range(12):
        known.forget({user_id})
    generation = known.generation - 5  # a writer that began before the marks were dropped
    known.learn([(-100, 99, Profile("U", None, None, None))], generation)
    assert not known.current(-100, UserInfo(99, "U", None, None, None))
