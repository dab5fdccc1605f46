"""Create the async engine: SQLite pragmas and explicit transaction control, PostgreSQL session settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlite3

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, PoolResetState
from sqlalchemy.util import await_only

from storage.sqlite_driver import one_trip_dbapi

# Generous: under a sustained burst a writer may queue behind many others (SQLite has one
# writer at a time and its busy handler is not first-come, first-served).
BUSY_TIMEOUT_MS = 30000

# Execution option read by the "begin" hook: how to open the transaction on SQLite.
BEGIN_OPTION = "circlebot_sqlite_begin"
WRITE_OPTIONS: dict[str, Any] = {BEGIN_OPTION: "IMMEDIATE"}

# Key of a pooled connection's info: its last use ended with its COMMIT/ROLLBACK done (see _on_reset).
SETTLED = "circlebot_settled"

_PRAGMAS = (
    # busy_timeout first so that switching to WAL waits for a concurrent opener.
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
)


def create_engine(url: str, *, statement_timeout: float = 0, **kwargs: Any) -> AsyncEngine:
    """Create an async engine; for SQLite make the directory and install the hooks.

    On PostgreSQL every connection gets the statement timeout (seconds, 0 for none) and an
    application name, so a stuck query is cancelled and `pg_stat_activity` shows whose it is.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _ensure_directory(parsed.database)
        if parsed.database in (None, "", ":memory:"):  # one shared connection (a StaticPool): no sizes
            kwargs.pop("pool_size", None)
            kwargs.pop("max_overflow", None)
    elif parsed.get_backend_name() == "postgresql":
        settings = {"application_name": "circlebot", "statement_timeout": str(int(statement_timeout * 1000))}
        kwargs.setdefault("connect_args", {}).setdefault("server_settings", settings)
    if parsed.get_backend_name() == "sqlite":
        kwargs.setdefault("pool_reset_on_return", None)  # _on_reset rolls back when needed
        if parsed.get_driver_name() == "aiosqlite":
            kwargs.setdefault("module", one_trip_dbapi())
    engine = create_async_engine(parsed, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _on_connect)
        event.listen(engine.sync_engine, "begin", _on_begin)
        event.listen(engine.sync_engine, "reset", _on_reset)
    return engine


def _ensure_directory(database: str | None) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Take BEGIN away from the sqlite3 driver (it would defer it to the first DML and
    # skip it for SELECT/DDL); _on_begin emits it instead. COMMIT/ROLLBACK still work.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _on_begin(conn: Connection) -> None:
    # A write transaction takes the write lock up front (BEGIN IMMEDIATE), so it waits
    # in busy_timeout instead of failing with "database is locked" when a deferred read
    # lock cannot be upgraded later. Reads use a plain deferred BEGIN.
    # One trip to aiosqlite's thread, as every statement is (storage.sqlite_driver).
    mode = conn.get_execution_options().get(BEGIN_OPTION)
    sql = f"BEGIN {mode}" if mode == "IMMEDIATE" else "BEGIN"
    try:
        await_only(conn.connection.driver_connection.execute_fetchall(sql))
    except sqlite3.Error as exc:
        raise sa.exc.DBAPIError.instance(sql, (), exc, sqlite3.Error) from exc


def _on_reset(dbapi_connection: Any, record: ConnectionPoolEntry, state: PoolResetState) -> None:
    # Rollback-on-return, minus the trip to aiosqlite's thread when it cannot do anything.
    # A use marked SETTLED awaited its own COMMIT or ROLLBACK to the end, so no statement of
    # its is still queued or running and the connection is out of any transaction; there
    # sqlite3's rollback() is a no-op (it only acts when in_transaction). Any other end — an
    # exception, a cancelled task, a bare connect() — still rolls back, queued behind
    # whatever the connection's thread is running, exactly as SQLAlchemy's default does.
    settled = record.info.pop(SETTLED, False)
    if not state.asyncio_safe or state.transaction_was_reset:
        return  # SQLAlchemy's own reset skips these too
    if settled and not record.driver_connection.in_transaction:
        return
    dbapi_connection.rollback()
