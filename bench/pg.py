"""PostgreSQL for the benchmarks: a scratch database per run, and bulk loads with COPY.

The server comes from --url, else CIRCLEBOT_BENCH_POSTGRES_URL, else the local default.
Each scratch database is called cb_bench_<pid>_<n> and is dropped afterwards, even when
the run fails.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from storage.db import Database

URL_ENV = "CIRCLEBOT_BENCH_POSTGRES_URL"
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
COPY_CHUNK = 100_000
_numbers = itertools.count()


def server_url(url: str | None) -> str:
    """The PostgreSQL server to use: the --url given, else the environment, else the default."""
    chosen = url or os.environ.get(URL_ENV, "").strip() or DEFAULT_URL
    if make_url(chosen).get_backend_name() != "postgresql":
        raise SystemExit(f"not a PostgreSQL URL: {chosen!r} (expected postgresql+asyncpg://...)")
    return chosen


async def _admin(url: str, statement: str) -> None:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        conn = await asyncpg.connect(dsn, timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise SystemExit(f"PostgreSQL at {make_url(url).render_as_string()} is unreachable: {exc}") from exc
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@asynccontextmanager
async def scratch_database(url: str) -> AsyncIterator[str]:
    """Create an empty database on the server at url, yield its URL, drop it afterwards."""
    name = f"cb_bench_{os.getpid()}_{next(_numbers)}"
    await _admin(url, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def copy_rows(db: Database, table: sa.Table, columns: Sequence[str], records: Iterable[Sequence[Any]]) -> None:
    """Load rows into a table with COPY (asyncpg's binary copy), committed chunk by chunk."""
    async with db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        batch: list[Sequence[Any]] = []
        for record in records:
            batch.append(record)
            if len(batch) == COPY_CHUNK:
                await driver.copy_records_to_table(table.name, records=batch, columns=list(columns))
                batch = []
        if batch:
            await driver.copy_records_to_table(table.name, records=batch, columns=list(columns))


async def analyze(db: Database) -> None:
    """Refresh the planner's statistics after a bulk load (autovacuum would, some time later)."""
    async with db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        await raw.driver_connection.execute("ANALYZE")
