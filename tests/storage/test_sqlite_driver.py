"""SQLite through aiosqlite: one trip to the driver's thread per statement, and the DBAPI behaviour SQLAlchemy reads."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiosqlite
import pytest
import sqlalchemy as sa

from storage.db import Database
from storage.sql import insert
from storage.sqlite_driver import OneTripCursor

METADATA = sa.MetaData()
NOTES = sa.Table(
    "notes", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.Text, nullable=False, unique=True),
)
_n = NOTES.c


@pytest.fixture
async def sqlite_db(sqlite_url: str) -> AsyncIterator[Database]:
    db = await Database.open(sqlite_url, migrate=False)
    async with db.engine.begin() as conn:
        await conn.run_sync(METADATA.create_all)
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every function the event loop hands to an aiosqlite thread, by name."""
    seen: list[str] = []
    handoff = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await handoff(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return seen


async def test_each_statement_is_one_trip_to_the_thread(sqlite_db: Database, trips: list[str]) -> None:
    async with sqlite_db.transaction() as repos:
        trips.clear()  # after BEGIN
        await repos.conn.execute(sa.insert(NOTES).values(title="A"))
        await repos.conn.execute(sa.select(_n.title).where(_n.id == 1))
        await repos.conn.execute(sa.update(NOTES).where(_n.id == 1).values(title="B"))
        assert trips == ["_run", "_run", "_run"]
    assert trips[-1] == "commit"


async def test_rows_counts_and_ids_read_as_sqlalchemy_expects(sqlite_db: Database) -> None:
    async with sqlite_db.transaction() as repos:
        conn = repos.conn
        first = await conn.execute(sa.insert(NOTES).values(title="A"))
        assert first.rowcount == 1 and first.inserted_primary_key == (1,)  # from lastrowid
        many = await conn.execute(sa.insert(NOTES), [{"title": "B"}, {"title": "C"}])
        assert many.rowcount == 2  # executemany
        returned = await conn.execute(insert(conn, NOTES).values(title="D").returning(_n.id, _n.title))
        assert returned.all() == [(4, "D")]
        renamed = await conn.execute(sa.update(NOTES).where(_n.id > 1).values(title=_n.title + "!"))
        assert renamed.rowcount == 3
        rows = await conn.execute(sa.select(_n.id).order_by(_n.id))
        assert rows.fetchmany(2) == [(1,), (2,)] and rows.fetchone() == (3,) and rows.all() == [(4,)]
        assert (await conn.execute(sa.select(_n.id).where(_n.id == 5))).first() is None
        streamed = [row.id async for row in await conn.stream(sa.select(_n.id).order_by(_n.id))]
        assert streamed == [1, 2, 3, 4]  # server-side cursors keep SQLAlchemy's own path


async def test_driver_errors_are_sqlalchemy_errors_and_roll_back(sqlite_db: Database) -> None:
    with pytest.raises(sa.exc.IntegrityError, match="UNIQUE constraint failed"):
        async with sqlite_db.transaction() as repos:
            await repos.conn.execute(sa.insert(NOTES).values(title="A"))
            await repos.conn.execute(sa.insert(NOTES).values(title="A"))
    async with sqlite_db.read() as repos:
        assert await repos.conn.scalar(sa.select(sa.func.count()).select_from(NOTES)) == 0
        raw = await repos.conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection.cursor(), OneTripCursor)
