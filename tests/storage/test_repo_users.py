"""Users: profile upserts, first /start, blocking."""

from __future__ import annotations

import datetime as dt

from storage.db import Database


async def test_upsert_inserts_then_refreshes(db: Database, t0: dt.datetime) -> None:
    later = t0 + dt.timedelta(days=1)
    async with db.transaction() as repos:
        user = await repos.users.upsert(7, "Ann", None, "ann", "zh-hans", False, t0)
        assert (user.full_name, user.created_at, user.can_message) == ("Ann", t0, False)
        user = await repos.users.upsert(7, "Ann", "Lee", None, "en", False, later)
    assert (user.full_name, user.username, user.language_code) == ("Ann Lee", None, "en")
    assert (user.created_at, user.updated_at) == (t0, later)


async def test_mark_started_only_once(db: Database, t0: dt.datetime) -> None:
    later = t0 + dt.timedelta(hours=2)
    async with db.transaction() as repos:
        await repos.users.upsert(7, "Ann", None, None, None, False, t0)
        assert await repos.users.mark_started(7, t0)
        assert not await repos.users.mark_started(7, later)
        assert not await repos.users.mark_started(8, t0)  # unknown user
        user = await repos.users.get(7)
    assert user is not None and user.started_at == t0 and user.can_message


async def test_set_blocked_keeps_first_time_and_unblocks(db: Database, t0: dt.datetime) -> None:
    later = t0 + dt.timedelta(hours=2)
    async with db.transaction() as repos:
        await repos.users.upsert(7, "Ann", None, None, None, False, t0)
        await repos.users.mark_started(7, t0)
        await repos.users.set_blocked(7, True, t0)
        await repos.users.set_blocked(7, True, later)
        blocked = await repos.users.get(7)
        await repos.users.set_blocked(7, False, later)
        unblocked = await repos.users.get(7)
    assert blocked is not None and blocked.blocked_at == t0 and not blocked.can_message
    assert unblocked is not None and unblocked.blocked_at is None and unblocked.can_message


async def test_get_many(db: Database, t0: dt.datetime) -> None:
    async with db.transaction() as repos:
        for uid in range(1, 601):
            await repos.users.upsert(uid, f"U{uid}", None, None, None, False, t0)
    async with db.read() as repos:
        found = await repos.users.get_many([*range(0, 700), 5, 5])
        assert await repos.users.get_many([]) == {}
    assert sorted(found) == list(range(1, 601))
    assert found[5].first_name == "U5"
