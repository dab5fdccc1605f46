"""Multi-row statements for hot paths: compiled once, rows sent as plain tuples (SQLite); multi-row VALUES (PostgreSQL).

SQLAlchemy's executemany handles every row's parameters in Python through the statement
machinery; for a few hundred rows that costs more than SQLite spends writing them. Here
each statement is compiled once and the driver gets tuples converted by the columns' own
bind processors, so types (UTC timestamps, booleans) are stored exactly as Core stores them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

Build = Callable[[AsyncConnection], sa.Insert]
MAX_PARAMETERS = 30_000  # PostgreSQL's protocol allows 32,767 bind parameters per statement


class ManyRows:
    """One INSERT/upsert over fixed columns, run with many rows in one driver call."""

    def __init__(self, table: sa.Table, columns: Sequence[str], build: Build) -> None:
        self.table = table
        self.columns = tuple(columns)
        self._build = build
        self._compiled: dict[str, tuple[str, Callable[[Sequence[Any]], tuple[Any, ...]]]] = {}

    def _for(self, conn: AsyncConnection) -> tuple[str, Callable[[Sequence[Any]], tuple[Any, ...]]]:
        dialect = conn.dialect
        if dialect.name not in self._compiled:
            stmt = self._build(conn).values({name: sa.bindparam(name) for name in self.columns})
            compiled = stmt.compile(dialect=dialect)
            if compiled.positiontup is None:
                raise NotImplementedError(f"{dialect.name}: ManyRows needs a positional paramstyle")
            plan = [
                (self.columns.index(name), self.table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
                for name in compiled.positiontup
            ]
            self._compiled[dialect.name] = (compiled.string, _converter(plan))
        return self._compiled[dialect.name]

    async def run(self, conn: AsyncConnection, rows: Sequence[Sequence[Any]]) -> int:
        """Execute for rows given in `columns` order; return the number of rows changed."""
        if not rows:
            return 0
        if conn.dialect.driver != "aiosqlite":
            return await self._run_multi_values(conn, rows)
        sql, convert = self._for(conn)
        return await _sqlite_executemany(conn, sql, [convert(row) for row in rows])

    async def _run_multi_values(self, conn: AsyncConnection, rows: Sequence[Sequence[Any]]) -> int:
        """One multi-row statement per chunk (asyncpg's executemany reports no row count).

        The rows of one call have distinct keys (the callers aggregate them), as an upsert of
        several VALUES rows requires on PostgreSQL.
        """
        changed = 0
        size = max(1, MAX_PARAMETERS // len(self.columns))
        for start in range(0, len(rows), size):
            chunk = [dict(zip(self.columns, row, strict=True)) for row in rows[start : start + size]]
            changed += max((await conn.execute(self._build(conn).values(chunk))).rowcount, 0)
        return changed


def _converter(plan: list[tuple[int, Callable[[Any], Any] | None]]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """Return row -> driver parameters: reordered by one itemgetter, processors only where a type has one."""
    pick = itemgetter(*(i for i, _ in plan))
    single = len(plan) == 1
    processors = [(position, p) for position, (_, p) in enumerate(plan) if p is not None]

    def convert(row: Sequence[Any]) -> tuple[Any, ...]:
        values = [pick(row)] if single else list(pick(row))
        for position, process in processors:
            values[position] = process(values[position])
        return tuple(values)

    return convert


async def _sqlite_executemany(conn: AsyncConnection, sql: str, params: list[tuple[Any, ...]]) -> int:
    """Run executemany in one trip to aiosqlite's thread, without SQLAlchemy's per-row parameter work.

    Same connection, same transaction; driver errors are raised as SQLAlchemy's
    (IntegrityError and so on), as exec_driver_sql would.
    """
    raw = await conn.get_raw_connection()
    try:
        cursor = await raw.driver_connection.executemany(sql, params)
    except sqlite3.Error as exc:
        raise sa.exc.DBAPIError.instance(sql, params, exc, sqlite3.Error, ismulti=True) from exc
    return int(cursor.rowcount)
