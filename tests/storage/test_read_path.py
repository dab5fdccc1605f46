"""The read path: one-call statements, snapshot reads, and connections handed back clean."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3

import pytest
import sqlalchemy as sa

from storage.db import Database
from storage.repos.prepared import PreparedSelect
from storage.schema import communities
from tests.databases import DbUrls

BY_ID = PreparedSelect(
    sa.select(communities.c.id, communities.c.title, communities.c.created_at, sa.literal(7).label("seven"))
    .where(communities.c.id >= sa.bindparam("low"))
    .order_by(communities.c.id)
)


async def _register(db: Database, t0: dt.datetime, *ids: int) -> None:
    async with db.transaction() as repos:
        for n, community_id in enumerate(ids):
            await repos.communities.register(community_id, f"G{n}", "group", None, t0 + dt.timedelta(seconds=n))


async def test_prepared_rows_equal_core_rows(db: Database, t0: dt.datetime) -> None:
    await _register(db, t0, -300, -200, -100)
    async with db.read() as repos:
        core = (await repos.conn.execute(BY_ID.stmt, {"low": -250})).all()
        prepared = await BY_ID.rows(repos.conn, {"low": -250})
    assert [tuple(r) for r in prepared] == [tuple(r) for r in core]
    assert [(r.id, r.seven) for r in prepared] == [(-200, 7), (-100, 7)]
    assert prepared[0].created_at == t0 + dt.timedelta(seconds=1) and prepared[0].created_at.tzinfo == dt.UTC


async def test_prepared_errors_are_sqlalchemy_errors(sqlite_url: str) -> None:
    db = await Database.open(sqlite_url, migrate=False)
    try:
        with pytest.raises(sa.exc.OperationalError, match="no such table"):
            async with db.snapshot() as repos:
                await BY_ID.rows(repos.conn, {"low": 0})
    finally:
        await db.close()


async def test_snapshot_sees_committed_writes_and_leaves_no_transaction(sqlite_url: str, t0: dt.datetime) -> None:
    db = await Database.open(sqlite_url, pool_size=1, max_overflow=0)
    try:
        for n in range(3):
            await _register(db, t0, -100 - n)
            async with db.snapshot() as repos:
                assert len(await BY_ID.rows(repos.conn, {"low": -1000})) == n + 1
                raw = await repos.conn.get_raw_connection()
                assert not raw.driver_connection.in_transaction  # no BEGIN was sent
        # The one pooled connection went back out of any transaction: another writer gets the lock.
        other = sqlite3.connect(sqlite_url.removeprefix("sqlite+aiosqlite:///"), isolation_level=None, timeout=1)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()
    finally:
        await db.close()


async def test_snapshot_on_postgres_is_a_read_only_transaction(postgres_urls: DbUrls, t0: dt.datetime) -> None:
    db = await Database.open(postgres_urls("snapshot"))
    try:
        await _register(db, t0, -100)
        async with db.snapshot() as repos:
            assert [r.id for r in await BY_ID.rows(repos.conn, {"low": -1000})] == [-100]
        with pytest.raises(sa.exc.DBAPIError, match="read-only transaction"):
            async with db.snapshot() as repos:
                await repos.conn.execute(sa.delete(communities))
    finally:
        await db.close()


async def test_a_cancelled_transaction_hands_its_connection_back_clean(sqlite_url: str, t0: dt.datetime) -> None:
    """Cancelled while BEGIN IMMEDIATE waits for the lock, the BEGIN still completes later: the
    rollback on return must queue behind it, or the pool's only connection stays in a transaction."""
    db = await Database.open(sqlite_url, pool_size=1, max_overflow=0)
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite+aiosqlite:///"), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")

        async def write() -> None:
            async with db.transaction() as repos:
                await repos.communities.register(-1, "never", "group", None, t0)

        task = asyncio.create_task(write())
        await asyncio.sleep(0.3)  # waiting in busy_timeout inside BEGIN IMMEDIATE
        task.cancel()
        await asyncio.sleep(0.1)
        holder.execute("COMMIT")
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.wait_for(_register(db, t0, -100), 5)
        async with db.snapshot() as repos:
            assert [r.id for r in await BY_ID.rows(repos.conn, {"low": -1000})] == [-100]
        assert holder.execute("SELECT id FROM communities").fetchall() == [(-100,)]  # committed, not held
    finally:
        holder.close()
        await db.close()


async def test_a_failed_read_hands_its_connection_back_clean(sqlite_url: str, t0: dt.datetime) -> None:
    db = await Database.open(sqlite_url, pool_size=1, max_overflow=0)
    try:
        with pytest.raises(RuntimeError):
            async with db.read() as repos:
                await BY_ID.rows(repos.conn, {"low": 0})
                raise RuntimeError("boom")
        async with db.snapshot() as repos:
            await repos.conn.execute(sa.select(1))  # autobegun; closing the connection rolls it back
        await asyncio.wait_for(_register(db, t0, -100), 5)
    finally:
        await db.close()
