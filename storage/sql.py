"""Small dialect-aware helpers for the repositories."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
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


# At most this many communities' terms in one grouped statement (bounds the statements cached).
GROUPS = 32


@lru_cache(maxsize=256)
def grouped(
    table: sa.Table, value_column: str, groups: int, columns: tuple[str, ...], periods: tuple[int, ...] = ()
) -> sa.Select:
    """SELECT columns WHERE (community_id = c_i [AND period IN periods] AND value IN v_i) OR ... (`groups` terms).

    For reads of many communities' rows at once (run it with grouped_params): one statement
    per batch instead of one per community. Its shape depends only on the
    number of communities, so it is built once and SQLAlchemy's compiled cache keeps it;
    each OR term is an index search (SQLite: MULTI-INDEX OR).
    """
    c = table.c
    # The periods make the windows' terms primary-key searches, not a scan of the community.
    period = [c.period.in_(periods)] if periods else []
    terms = [
        sa.and_(
            c.community_id == sa.bindparam(f"c{i}"), *period, c[value_column].in_(sa.bindparam(f"v{i}", expanding=True))
        )
        for i in range(groups)
    ]
    return sa.select(*(c[name] for name in columns)).where(sa.or_(*terms))


def grouped_params(wanted: dict[int, Iterable[Any]]) -> Iterable[tuple[int, dict[str, Any]]]:
    """Yield (groups, parameters) for grouped: at most GROUPS communities and IN_CHUNK values each time."""
    params: dict[str, Any] = {}
    groups = size = 0
    for community_id, values in wanted.items():
        for part in chunks(set(values)):
            if groups and (groups >= GROUPS or size + len(part) > IN_CHUNK):
                yield groups, params
                params, groups, size = {}, 0, 0
            params[f"c{groups}"], params[f"v{groups}"] = community_id, list(part)
            groups, size = groups + 1, size + len(part)
    if groups:
        yield groups, params
