"""The per-user reads of private updates are cached and forgotten when the user's row or settings change."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from bot.clock import FakeClock
from bot.services.communities import do_mark_reachable, do_mark_unreachable
from bot.services.settings import do_set_member_setting, get_language_preference
from bot.services.user_reads import LANGUAGE, UserReads
from storage.db import Database

from tests.fixtures import ALICE, T0, open_community
from tests.databases import DbUrls


@pytest.fixture
async def db(db_urls: DbUrls) -> AsyncIterator[Database]:
    database = await open_community(db_urls("reads.db"))
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def reads(db: Database) -> UserReads:
    cache = UserReads()
    db.on_users_commit(cache.forget)  # as bot/app.py wires it
    return cache


@contextmanager
def selects(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().startswith("SELECT"):
            seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


async def test_the_language_choice_is_read_once_and_follows_set_language(db: Database, reads: UserReads) -> None:
    clock = FakeClock(T0)
    assert await get_language_preference(db, ALICE.id, reads) is None
    with selects(db) as seen:
        assert await get_language_preference(db, ALICE.id, reads) is None
    assert seen == []
    await do_set_member_setting(db, clock, ALICE, "language", "zh")
    assert await get_language_preference(db, ALICE.id, reads) == "zh"
    await do_set_member_setting(db, clock, ALICE, "language", "reset")
    assert await get_language_preference(db, ALICE.id, reads) is None


async def test_a_reachable_member_costs_no_read_until_they_block_the_bot(db: Database, reads: UserReads) -> None:
    clock = FakeClock(T0)
    assert not await do_mark_reachable(db, clock, ALICE.id, reads)
    with selects(db) as seen:
        assert not await do_mark_reachable(db, clock, ALICE.id, reads)
    assert seen == []
    await do_mark_unreachable(db, clock, ALICE.id)  # e.g. Forbidden from the outbox
    assert await do_mark_reachable(db, clock, ALICE.id, reads)  # they wrote again: the mark is cleared
    assert not await do_mark_reachable(db, clock, ALICE.id, reads)


def test_a_value_read_while_the_user_was_forgotten_is_not_kept() -> None:
    reads = UserReads()
    generation = reads.generation
    reads.forget({ALICE.id})
    reads.keep(LANGUAGE, ALICE.id, "en", generation)
    assert reads.get(LANGUAGE, ALICE.id) != "en"
    reads.keep(LANGUAGE, ALICE.id, "zh", reads.generation)
    assert reads.get(LANGUAGE, ALICE.id) == "zh"


async def test_the_private_language_is_read_in_one_statement(db: Database) -> None:
    from bot.services.settings import read_private_language
    from tests.fixtures import GROUP

    clock = FakeClock(T0)
    async with db.read() as repos:
        with selects(db) as seen:
            assert await read_private_language(repos, ALICE.id, GROUP.id) == "en"
        assert len(seen) == 1
        assert await read_private_language(repos, 424242, None) == "en"  # nobody known: the default
    await do_set_member_setting(db, clock, ALICE, "language", "zh")
    async with db.read() as repos:
        assert await read_private_language(repos, ALICE.id, GROUP.id) == "zh"
