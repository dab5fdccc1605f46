"""Hot reads without SQLAlchemy's per-call work: a SELECT compiled once per dialect, rows as plain tuples.

A Core statement is one trip to aiosqlite's thread (storage.sqlite_driver), but before it
SQLAlchemy builds the statement's cache key and after it runs its result machinery, which
for an indexed read costs more than SQLite does. Here the SQL is compiled once and its
parameters and rows are plain tuples. Other drivers take SQLAlchemy's usual path.
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection


class _Plan(NamedTuple):
    sql: str
    order: tuple[str, ...]
    fixed: dict[str, Any]
    binds: dict[str, Callable[[Any], Any]]
    results: list[tuple[int, Callable[[Any], Any]]]
    row: type


class PreparedSelect:
    """One SELECT with named bind parameters; rows come back with attribute access, as Core's do."""

    def __init__(self, stmt: sa.Select) -> None:
        self.stmt = stmt
        self._plans: dict[str, _Plan] = {}

    def _plan(self, dialect: Dialect) -> _Plan:
        plan = self._plans.get(dialect.name)
        if plan is None:
            plan = self._plans[dialect.name] = _compile(self.stmt, dialect)
        return plan

    async def rows(self, conn: AsyncConnection, params: Mapping[str, Any]) -> list[Any]:
        """Run the statement on conn (in its transaction, if one is open) and return all rows."""
        if conn.dialect.driver != "aiosqlite":
            return list(await conn.execute(self.stmt, dict(params)))
        plan = self._plan(conn.dialect)
        values = []
        for name in plan.order:
            value = params[name] if name in params else plan.fixed[name]
            process = plan.binds.get(name)
            values.append(process(value) if process else value)
        raw = await conn.get_raw_connection()
        try:
            fetched = await raw.driver_connection.execute_fetchall(plan.sql, values)
        except sqlite3.Error as exc:
            raise sa.exc.DBAPIError.instance(plan.sql, values, exc, sqlite3.Error) from exc
        if not plan.results:
            return [plan.row._make(row) for row in fetched]
        rows = []
        for row in fetched:
            cells = list(row)
            for position, process in plan.results:
                cells[position] = process(cells[position])
            rows.append(plan.row._make(cells))
        return rows


def _compile(stmt: sa.Select, dialect: Dialect) -> _Plan:
    compiled = stmt.compile(dialect=dialect)
    if compiled.positiontup is None or compiled.literal_execute_params or compiled.post_compile_params:
        raise NotImplementedError(f"{dialect.name}: PreparedSelect needs plain positional parameters")
    binds = {}
    for name, bind in compiled.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            binds[name] = process
    fixed = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
    columns = list(stmt.selected_columns)
    results = []
    for position, column in enumerate(columns):
        process = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if process is not None:
            results.append((position, process))
    row = namedtuple("Row", [column.key for column in columns])  # type: ignore[misc]
    return _Plan(compiled.string, tuple(compiled.positiontup), fixed, binds, results, row)
