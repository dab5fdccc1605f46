"""Multi-row statements for hot paths: compiled once per dialect, rows sent as plain tuples.

SQLAlchemy's executemany handles every row's parameters in Python through the statement
machinery; for a few hundred rows that costs more than SQLite spends writing them. Here
each statement is compiled once and the driver gets tuples converted by the columns' own
bind processors, so types (UTC timestamps, booleans) are stored exactly as Core stores them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

Build = Callable[[AsyncConnection], sa.Insert]


class ManyRows:
    """One INSERT/upsert over fixed columns, run with many rows in one driver call."""

    def __init__(self, table: sa.Table, columns: Sequence[str], build: Build) -> None:
        self.table = table
        self.columns = tuple(columns)
        self._build = build
        self._compiled: dict[str, tuple[str, list[tuple[int, Callable[[Any], Any] | None]]]] = {}

    def _for(self, conn: AsyncConnection) -> tuple[str, list[tuple[int, Callable[[Any], Any] | None]]]:
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
            self._compiled[dialect.name] = (compiled.string, plan)
        return self._compiled[dialect.name]

    async def run(self, conn: AsyncConnection, rows: Sequence[Sequence[Any]]) -> int:
        """Execute for rows given in `columns` order; return the number of rows changed."""
        if not rows:
            return 0
        sql, plan = self._for(conn)
        params = [tuple(p(row[i]) if p else row[i] for i, p in plan) for row in rows]
        result = await conn.exec_driver_sql(sql, params)
        return result.rowcount
