"""Create the async engine: SQLite pragmas and explicit transaction control, PostgreSQL session settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

# Generous: under a sustained burst a writer may queue behind many others (SQLite has one
# writer at a time and its busy handler is not first-come, first-served).
BUSY_TIMEOUT_MS = 30000

# Execution option read by the "begin" hook: how to open the transaction on SQLite.
BEGIN_OPTION = "circlebot_sqlite_begin"
WRITE_OPTIONS: dict[str, Any] = {BEGIN_OPTION: "IMMEDIATE"}

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
    engine = create_async_engine(parsed, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _on_connect)
        event.listen(engine.sync_engine, "begin", _on_begin)
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
    mode = conn.get_execution_options().get(BEGIN_OPTION)
    conn.exec_driver_sql(f"BEGIN {mode}" if mode == "IMMEDIATE" else "BEGIN")
