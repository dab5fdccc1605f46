"""Id counters across a copy: what each table's counter handed out in the source, continued in the target.

A counter can be ahead of the largest id its table holds (rows deleted since), and some ids must
never come back: a pending welcome's id makes its notice's key, so a reused id would silence a
welcome. SQLite's AUTOINCREMENT tables remember the high mark in sqlite_sequence and PostgreSQL's
sequences never go back; the target's counters continue after the larger of that mark and the
largest copied id.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import metadata

# Every sequence of the current schema, the column it feeds (serial and identity columns alike)
# and the last value it handed out (NULL when it never did).
_OWNED_SEQUENCES = sa.text(
    """
    SELECT s.oid::regclass::text, t.relname, a.attname, pg_sequence_last_value(s.oid)
    FROM pg_class s
    JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
        AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
    JOIN pg_class t ON t.oid = d.refobjid
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
    WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace
    ORDER BY 1
    """
)


async def handed_out(conn: AsyncConnection) -> dict[str, int]:
    """Return {table: the highest id its counter ever handed out}, for the tables whose counter remembers one."""
    if conn.dialect.name == "postgresql":
        rows = await conn.execute(_OWNED_SEQUENCES)
        return {table: int(last) for _sequence, table, _column, last in rows if last is not None}
    has_sequence = sa.select(sa.literal_column("name")).select_from(sa.table("sqlite_master")).where(
        sa.literal_column("type") == "table", sa.literal_column("name") == "sqlite_sequence"
    )
    if (await conn.execute(has_sequence)).first() is None:  # no AUTOINCREMENT table was ever written to
        return {}
    rows = await conn.execute(sa.text("SELECT name, seq FROM sqlite_sequence"))
    return {name: int(seq) for name, seq in rows}


async def continue_counters(conn: AsyncConnection, source_marks: dict[str, int]) -> int:
    """Set the target's counters after both their table's largest id and the source's mark; return how many."""
    if conn.dialect.name == "postgresql":
        sequences = (await conn.execute(_OWNED_SEQUENCES)).all()
        for sequence, table, column, _last in sequences:
            top = sa.select(sa.func.max(sa.column(column))).select_from(sa.table(table)).scalar_subquery()
            regclass = sa.cast(sa.literal(sequence, sa.Text), postgresql.REGCLASS)
            after = sa.func.greatest(sa.func.coalesce(top, 0), source_marks.get(table, 0)) + 1
            await conn.execute(sa.select(sa.func.setval(regclass, after, False)))
        return len(sequences)
    counters = 0
    for table in metadata.sorted_tables:
        mark = source_marks.get(table.name, 0)
        if not table.dialect_options["sqlite"]["autoincrement"] or mark <= 0:
            continue  # SQLite hands out max(id) + 1 there, which the copied rows already set
        # Inserting explicit ids already raised the counter to the largest of them; never lower it.
        raised = await conn.execute(
            sa.text("UPDATE sqlite_sequence SET seq = MAX(seq, :mark) WHERE name = :name"),
            {"mark": mark, "name": table.name},
        )
        if raised.rowcount == 0:
            await conn.execute(
                sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :mark)"),
                {"mark": mark, "name": table.name},
            )
        counters += 1
    return counters
