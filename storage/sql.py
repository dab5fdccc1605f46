"""Small dialect-aware helpers for the repositories."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

T = TypeVar("T")

# Well under SQLite's bound-parameter limit, and keeps PostgreSQL plans simple.
IN_CHUNK = 500


def insert(conn: AsyncConnection, table: sa.Table) -> sqlite.Insert | postgresql.Insert:
    """Return an INSERT with on_conflict_do_nothing/on_conflict_do_update for this dialect."""
    name = conn.dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"upsert is not supported on {name}")


def row_dict(row: sa.Row[Any], table: sa.Table) -> dict[str, Any]:
    """Pick one table's columns out of a (possibly joined) row, keyed by column name."""
    mapping = row._mapping
    return {column.name: mapping[column] for column in table.c}


def chunks(items: Iterable[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """Split items into lists of at most size elements."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
