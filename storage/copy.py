"""Copy every row of one circlebot database into another (e.g. SQLite to PostgreSQL), then verify the copy.

The source is read in one read-only transaction (one consistent snapshot) and streamed table
by table in foreign-key order, a chunk at a time; the target is written in one transaction,
so a failed or refused copy leaves it as empty as it was. Before that transaction commits, the
copy is verified: every table's row count, and every member's ledger sums against the running
scores and balances on both sides. The target's id counters continue after the source's, so the
bot's next inserts neither collide with a copied id nor reuse one (storage/copy_ids.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import asyncpg
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from tqdm import tqdm

from storage.copy_ids import continue_counters, handed_out
from storage.engine import WRITE_OPTIONS, create_engine
from storage.migrate import alembic_config, current_revision, head_revision, upgrade
from storage.repos.ledger import LedgerRepo
from storage.schema import metadata, points_ledger, points_members

log = logging.getLogger(__name__)

# Rows per INSERT batch: large enough to keep round trips few, small enough to bound memory.
CHUNK = 5000

# The async driver each backend runs on, for URLs given without one.
_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}


class CopyError(Exception):
    """The copy did not happen; exit_code is 2 for bad arguments, 1 for a refusal or a failed verification."""

    def __init__(self, message: str, exit_code: int = 1, report: CopyReport | None = None) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.report = report


class ProgressBar(Protocol):
    """What the copy reports its progress to (tqdm's interface)."""

    def set_description_str(self, desc: str) -> None: ...

    def update(self, n: int) -> object: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class TableCount:
    """A table's rows in the source and in the target."""

    name: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


@dataclass
class CopyReport:
    """What was copied and what the verification found."""

    source: str  # URLs without their passwords
    target: str
    tables: list[TableCount] = field(default_factory=list)
    communities: int = 0  # communities whose points were checked
    members: int = 0  # members with points, summed over them
    ledger_problems: list[str] = field(default_factory=list)
    counters: int = 0  # id counters (sequences) set to continue after the source's
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(t.target for t in self.tables)

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables) and not self.ledger_problems


def database_url(text: str) -> URL:
    """Parse a database URL, giving a bare sqlite:// or postgresql:// URL its async driver."""
    try:
        url = make_url(text.strip())
    except ArgumentError:
        raise CopyError(f"{text!r} is not a database URL (e.g. postgresql+asyncpg://user@host/db)", 2) from None
    driver = _DRIVERS.get(url.drivername)
    if driver is not None:
        url = url.set(drivername=driver)
    if url.drivername not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        raise CopyError(f"{url.drivername}: only sqlite+aiosqlite:// and postgresql+asyncpg:// URLs are supported", 2)
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise CopyError(f"{shown(url)}: give the SQLite database's file path", 2)
    return url


def shown(url: URL) -> str:
    """The URL as it may be printed (no password)."""
    return url.render_as_string(hide_password=True)


async def copy_database(
    source_url: str, target_url: str, *, chunk: int = CHUNK, progress: Callable[[int], ProgressBar] | None = None
) -> CopyReport:
    """Copy every row from source_url into the empty database at target_url and verify it.

    progress is called with the number of rows to copy and returns the bar to advance.
    Raises CopyError (and leaves the target without rows) when refused or when the copy does not verify.
    """
    started = time.monotonic()
    source, target = database_url(source_url), database_url(target_url)
    if _same_database(source, target):
        raise CopyError("--from and --to name the same database", 2)
    if source.get_backend_name() == "sqlite" and not Path(source.database or "").expanduser().is_file():
        raise CopyError(f"{shown(source)}: no such SQLite database file", 2)
    report = CopyReport(shown(source), shown(target))
    source_engine, target_engine = _engine(source), _engine(target)
    try:
        try:
            await _check_source(source_engine, report.source)
            await _prepare_target(target_engine, report.target)
            await _copy(source_engine, target_engine, report, chunk, progress)
        except DBAPIError as exc:
            raise CopyError(f"the database answered: {_first_line(exc.orig or exc)}; no rows were written") from exc
        finally:
            report.seconds = time.monotonic() - started
        if target_engine.dialect.name == "postgresql":
            await _analyze(target_engine)
    finally:
        await source_engine.dispose()
        await target_engine.dispose()
    return report


def _same_database(a: URL, b: URL) -> bool:
    if a.get_backend_name() == "sqlite" and b.get_backend_name() == "sqlite":
        return Path(a.database or "").expanduser().resolve() == Path(b.database or "").expanduser().resolve()
    return (a.host, a.port or 5432, a.database) == (b.host, b.port or 5432, b.database)


def _engine(url: URL) -> AsyncEngine:
    try:
        return create_engine(url.render_as_string(hide_password=False))
    except (ArgumentError, NoSuchModuleError) as exc:
        raise CopyError(f"{shown(url)}: {exc}", 2) from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


async def _revision(engine: AsyncEngine, shown_url: str) -> str | None:
    try:
        return await current_revision(engine)
    except (OSError, DBAPIError) as exc:
        cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
        raise CopyError(f"cannot open {shown_url}: {_first_line(cause)}", 2) from None


async def _check_source(engine: AsyncEngine, shown_url: str) -> None:
    revision, head = await _revision(engine, shown_url), head_revision()
    if revision is None:
        raise CopyError(f"{shown_url} is not a circlebot database (it has no schema version)")
    if revision != head and not _known(revision):
        raise CopyError(f"{shown_url} is at schema version {revision}, written by a newer circlebot than this one")
    if revision != head:
        raise CopyError(
            f"{shown_url} is at schema version {revision}, this version of circlebot writes {head}: "
            f"bring it up to date first: run `CIRCLEBOT__STORAGE__URL='{shown_url}' circlebot migrate` "
            "(or start the bot on it once with this version)"
        )


def _known(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


async def _prepare_target(engine: AsyncEngine, shown_url: str) -> None:
    await _revision(engine, shown_url)  # fails early, with the reason, when the target cannot be opened
    async with engine.connect() as conn:
        filled = await _tables_with_rows(conn)
    if filled:
        raise CopyError(_not_empty(shown_url, filled))
    try:
        await upgrade(engine)
    except CommandError as exc:  # e.g. a schema version this circlebot does not know
        raise CopyError(f"cannot bring {shown_url} to schema version {head_revision()}: {exc}") from None


def _not_empty(shown_url: str, tables: list[str]) -> str:
    names = ", ".join(tables[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5 else "")
    return f"{shown_url} is not empty ({names} have rows): migrate-data only writes into an empty database"


async def _tables_with_rows(conn: AsyncConnection) -> list[str]:
    """Return the tables (besides alembic_version) that hold at least one row."""
    names = await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names())
    filled = []
    for name in sorted(names):
        if name != "alembic_version":
            exists = sa.select(sa.exists(sa.select(sa.literal(1)).select_from(sa.table(name))))
            if (await conn.execute(exists)).scalar():
                filled.append(name)
    return filled


async def _count(conn: AsyncConnection, table: sa.Table) -> int:
    return int((await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one())


async def _copy(
    source_engine: AsyncEngine,
    target_engine: AsyncEngine,
    report: CopyReport,
    chunk: int,
    progress: Callable[[int], ProgressBar] | None,
) -> None:
    async with source_engine.connect() as source:
        if source.dialect.name == "postgresql":
            await source.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        async with source.begin(), target_engine.connect() as target:
            counts = {table.name: await _count(source, table) for table in metadata.sorted_tables}
            marks = await handed_out(source)
            await target.execution_options(**WRITE_OPTIONS)
            async with target.begin():
                filled = await _tables_with_rows(target)  # written to since it was checked
                if filled:
                    raise CopyError(_not_empty(report.target, filled))
                bar = progress(sum(counts.values())) if progress else tqdm(disable=True)
                try:
                    for table in metadata.sorted_tables:
                        bar.set_description_str(table.name)
                        await _copy_table(source, target, table, chunk, bar)
                    bar.set_description_str("copied")
                finally:
                    bar.close()
                report.counters = await continue_counters(target, marks)
                for table in metadata.sorted_tables:
                    report.tables.append(TableCount(table.name, counts[table.name], await _count(target, table)))
                await _verify_ledger(source, target, report)
                if not report.ok:
                    raise CopyError("the copy does not match the source: no rows were written", 1, report)


async def _copy_table(
    source: AsyncConnection, target: AsyncConnection, table: sa.Table, chunk: int, bar: ProgressBar
) -> None:
    """Stream the table's rows in primary-key order into the target, chunk rows at a time."""
    # JSON travels as its stored text: no parse and dump, and SQL NULL stays apart from JSON null.
    json = {c.name for c in table.c if isinstance(c.type, sa.JSON)}
    # Parameter names may not be column names in an INSERT's VALUES: the rows come labelled "v_<column>".
    query = sa.select(*((sa.cast(c, sa.Text) if c.name in json else c).label(f"v_{c.name}") for c in table.c))
    write = await _copier(target, table) if target.dialect.name == "postgresql" else _inserter(target, table, json)
    result = await source.stream(query.order_by(*table.primary_key.columns))
    async for rows in result.partitions(chunk):
        await write(rows)
        bar.update(len(rows))


Writer = Callable[[Sequence[sa.Row[Any]]], Awaitable[None]]


def _inserter(target: AsyncConnection, table: sa.Table, json: set[str]) -> Writer:
    """Write rows with one executemany INSERT per chunk, through each column type's conversion."""
    values = {
        c.name: sa.bindparam(f"v_{c.name}", type_=sa.Text if c.name in json else c.type) for c in table.c
    }
    insert = table.insert().values(values)

    async def write(rows: Sequence[sa.Row[Any]]) -> None:
        await target.execute(insert, [row._asdict() for row in rows])

    return write


async def _copier(target: AsyncConnection, table: sa.Table) -> Writer:
    """Write rows with PostgreSQL's COPY (less work per row than INSERTs), in the open transaction."""
    driver = (await target.get_raw_connection()).driver_connection
    names = [c.name for c in table.c]

    async def write(rows: Sequence[sa.Row[Any]]) -> None:
        try:
            await driver.copy_records_to_table(table.name, records=[tuple(row) for row in rows], columns=names)
        except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            refusal = f"{table.name}: the database refused a row: {_first_line(exc)}"
            raise CopyError(f"{refusal}; no rows were written") from exc

    return write


async def _analyze(engine: AsyncEngine) -> None:
    """Gather the planner's statistics now (fresh tables have none until autovacuum gets to them)."""
    try:
        async with engine.connect() as conn:
            await conn.execute(sa.text("ANALYZE"))
            await conn.commit()
    except DBAPIError as exc:  # the copy is committed and sound; the statistics will come anyway
        log.warning("ANALYZE after the copy failed: %s", _first_line(exc.orig or exc))


async def _point_communities(conn: AsyncConnection) -> set[int]:
    query = sa.union(sa.select(points_ledger.c.community_id), sa.select(points_members.c.community_id))
    return {int(community_id) for community_id in (await conn.execute(query)).scalars()}


Totals = dict[int, tuple[int, int]]


async def _points(conn: AsyncConnection, community_id: int) -> tuple[Totals, Totals]:
    """Return ({user: (score, balance)} summed from the ledger, the same from the running totals), zeros left out."""
    repo = LedgerRepo(conn)
    sums, totals = await repo.sums(community_id), await repo.member_totals(community_id)
    return {u: s for u, s in sums.items() if s != (0, 0)}, {u: t for u, t in totals.items() if t != (0, 0)}


def _differences(where: str, left: Totals, right: Totals, what: str) -> list[str]:
    users = sorted(u for u in left.keys() | right.keys() if left.get(u, (0, 0)) != right.get(u, (0, 0)))
    if not users:
        return []
    first = users[0]
    return [
        f"{where}: {what} for {len(users)} member(s), e.g. user {first}: "
        f"{left.get(first, (0, 0))} vs {right.get(first, (0, 0))} (score, balance)"
    ]


async def _verify_ledger(source: AsyncConnection, target: AsyncConnection, report: CopyReport) -> None:
    """Check, per community, ledger sums = running totals on each side, and the target's sums = the source's."""
    communities = await _point_communities(source) | await _point_communities(target)
    report.communities = len(communities)
    for community_id in sorted(communities):
        source_sums, source_totals = await _points(source, community_id)
        target_sums, target_totals = await _points(target, community_id)
        report.members += len(source_sums)
        where = f"community {community_id}"
        report.ledger_problems += _differences(
            f"{where}, source", source_sums, source_totals, "ledger sums differ from the running totals"
        )
        report.ledger_problems += _differences(
            f"{where}, target", target_sums, target_totals, "ledger sums differ from the running totals"
        )
        report.ledger_problems += _differences(where, source_sums, target_sums, "the target's ledger differs")
