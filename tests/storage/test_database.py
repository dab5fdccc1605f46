"""The engine: pragmas, transactions, concurrency, timestamps."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from storage.db import Database
from storage.engine import BUSY_TIMEOUT_MS
from storage.schema import communities
from tests.databases import DbUrls


async def test_open_creates_directory_and_sets_pragmas(sqlite_url: str) -> None:
    db = await Database.open(sqlite_url)
    assert Path(sqlite_url.removeprefix("sqlite+aiosqlite:///")).is_file()
    assert db.dialect_name == "sqlite"
    async with db.read() as repos:
        pragma = repos.conn.exec_driver_sql
        assert (await pragma("PRAGMA journal_mode")).scalar() == "wal"
        assert (await pragma("PRAGMA foreign_keys")).scalar() == 1
        assert (await pragma("PRAGMA synchronous")).scalar() == 1  # NORMAL
        assert (await pragma("PRAGMA busy_timeout")).scalar() == BUSY_TIMEOUT_MS
    await db.close()


async def test_postgres_sessions_carry_the_statement_timeout(postgres_urls: DbUrls) -> None:
    db = await Database.open(postgres_urls("timeout"), statement_timeout=0.2, pool_size=2, max_overflow=0)
    try:
        async with db.read() as repos:
            assert await repos.conn.scalar(sa.text("SHOW statement_timeout")) == "200ms"
            assert await repos.conn.scalar(sa.text("SELECT current_setting('application_name')")) == "circlebot"
        with pytest.raises(sa.exc.DBAPIError, match="statement timeout"):
            async with db.read() as repos:
                await repos.conn.execute(sa.text("SELECT pg_sleep(2)"))
    finally:
        await db.close()


async def test_transaction_commits(db: Database, t0: dt.datetime) -> None:
    async with db.transaction() as repos:
        await repos.communities.register(-100, "G", "group", None, t0)
    async with db.read() as repos:
        assert await repos.communities.get(-100) is not None


async def test_exception_rolls_back_everything(db: Database, t0: dt.datetime) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as repos:
            await repos.communities.register(-100, "G", "group", None, t0)
            await repos.users.upsert(1, "A", None, None, None, False, t0)
            await repos.outbox.enqueue("k", 1, "prerendered", {"text": "hi"}, t0)
            raise RuntimeError("boom")
    async with db.read() as repos:
        assert await repos.communities.get(-100) is None
        assert await repos.users.get(1) is None
        assert await repos.outbox.due(t0, 10) == []


async def test_concurrent_read_modify_write_never_locks(sqlite_url: str, t0: dt.datetime) -> None:
    # One pooled connection per task, all at once. (PostgreSQL: tests/storage/test_postgres_concurrency.py.)
    db = await Database.open(sqlite_url, pool_size=20, max_overflow=0)
    try:
        async with db.transaction() as repos:
            await repos.communities.register(-100, "G", "group", None, t0)
            await repos.settings.set(-100, "counter", 0, None, t0)

        async def increment() -> None:
            async with db.transaction() as repos:
                value = await repos.settings.get(-100, "counter")
                await asyncio.sleep(0.001)  # let the other tasks pile up on the lock
                await repos.settings.set(-100, "counter", value + 1, None, t0)

        await asyncio.gather(*(increment() for _ in range(20)))
        async with db.read() as repos:
            assert await repos.settings.get(-100, "counter") == 20
    finally:
        await db.close()


async def test_deferred_transactions_would_lock(sqlite_url: str, t0: dt.datetime) -> None:
    """Control for the test above: read-then-write in deferred transactions does fail."""
    db = await Database.open(sqlite_url, pool_size=5, max_overflow=0)
    try:
        async with db.transaction() as repos:
            await repos.communities.register(-100, "G", "group", None, t0)
        all_read = asyncio.Barrier(5)

        async def rename(n: int) -> None:
            async with db.read() as repos:  # deferred BEGIN: a shared snapshot only
                await repos.communities.get(-100)
                await all_read.wait()
                await repos.conn.execute(sa.update(communities).values(title=f"G{n}"))

        results = await asyncio.gather(*(rename(n) for n in range(5)), return_exceptions=True)
        failures = [r for r in results if isinstance(r, OperationalError)]
        assert failures and all("locked" in str(f) for f in failures)
    finally:
        await db.close()


async def test_timestamps_are_stored_utc_and_read_aware(db: Database) -> None:
    tokyo = dt.timezone(dt.timedelta(hours=9))
    local = dt.datetime(2026, 3, 1, 18, 30, 15, 123456, tzinfo=tokyo)
    async with db.transaction() as repos:
        community, _ = await repos.communities.register(-100, "G", "group", None, local)
    assert community.created_at == local
    assert community.created_at.tzinfo == dt.UTC
    assert community.created_at.hour == 9
    async with db.read() as repos:
        raw = await repos.conn.scalar(sa.text("SELECT created_at FROM communities"))
    if db.dialect_name == "sqlite":
        assert raw == "2026-03-01 09:30:15.123456"
    else:  # timestamptz: the driver hands back the same instant in UTC
        assert raw == dt.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)


async def test_naive_timestamps_are_refused(db: Database) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        async with db.transaction() as repos:
            await repos.communities.register(-100, "G", "group", None, dt.datetime(2026, 1, 1))


async def test_memory_database(t0: dt.datetime) -> None:
    db = await Database.open("sqlite+aiosqlite:///:memory:")
    try:
        async with db.transaction() as repos:
            await repos.communities.register(-100, "G", "group", None, t0)
        async with db.read() as repos:
            assert await repos.communities.get(-100) is not None
    finally:
        await db.close()
