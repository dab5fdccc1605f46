"""`circlebot migrate-data` without the bot: exact copies, what it refuses, and corrupted copies caught.

The source is a SQLite file the services filled (points in the ledger and its running totals,
settings, audit entries, a notice); the target is a database of this run's backend, so the
copy runs SQLite → SQLite and SQLite → PostgreSQL (and PostgreSQL → SQLite where the server is).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from bot.cli import main
from bot.clock import FakeClock
from bot.config import PointsConfig
from bot.services.points import WINDOWS, Grant, do_award_points, spend_points
from bot.services.points_rules import Scoring
from storage.copy import CopyError, copy_database
from storage.db import Database
from storage.engine import create_engine
from storage.migrate import alembic_config, head_revision, upgrade
from storage.schema import metadata
from tests.databases import DbUrls
from tests.fixtures import ALICE, BOB, CAROL, GROUP, T0, open_community, stored

BULK = 2600  # ledger rows loaded in bulk: several chunks of CHUNK


async def fill(url: str) -> None:
    """Give a fresh database a community with points, settings, audit entries and a notice."""
    db = await open_community(url)
    try:
        scoring, clock = Scoring(PointsConfig()), FakeClock(T0)
        for n, person in enumerate((ALICE, BOB, CAROL)):
            await do_award_points(db, scoring, clock, Grant(GROUP.id, person.id, 10 + n, "award", f"award:{n}"))
        async with db.transaction() as repos:
            await spend_points(repos, scoring, Grant(GROUP.id, ALICE.id, -4, "purchase", "spend:1"), T0)
            await repos.settings.set(GROUP.id, "language", "zh", CAROL.id, T0)
            await repos.audit.add(GROUP.id, CAROL.id, "award", ALICE.id, {"points": 10, "why": "好答案"}, T0)
            await repos.audit.add(GROUP.id, CAROL.id, "settings", None, None, T0)
            await repos.outbox.enqueue("note:1", ALICE.id, "points", {"delta": [1, 2]}, T0, community_id=GROUP.id)
            for person in (ALICE, BOB):  # two joins queued and welcomed: their ids are gone, never to come back
                await repos.welcomes.add(GROUP.id, person.id, T0)
            await repos.welcomes.take(GROUP.id, 2)
            today = T0.date().toordinal()
            await repos.ledger.add_many(
                {"community_id": GROUP.id, "user_id": (ALICE.id, BOB.id)[i % 2], "delta": 1 + i % 3,
                 "scored": True, "reason": "message", "ref": None, "idem_key": f"bulk:{i}", "day": today - i % 40,
                 "created_at": T0 - dt.timedelta(minutes=i)}
                for i in range(BULK)
            )
            await repos.ledger.rebuild(GROUP.id, today, WINDOWS, T0)
    finally:
        await db.close()


@pytest.fixture
async def source(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'source.db'}"
    await fill(url)
    return url


async def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table in primary-key order, JSON as its stored text."""
    engine = create_engine(url)
    tables = {}
    try:
        async with engine.connect() as conn:
            for table in metadata.sorted_tables:
                columns = [sa.cast(c, sa.Text) if isinstance(c.type, sa.JSON) else c for c in table.c]
                query = sa.select(*columns).order_by(*table.primary_key.columns)
                tables[table.name] = [tuple(row) for row in await conn.execute(query)]
    finally:
        await engine.dispose()
    return tables


async def cli(*argv: str) -> int | str | None:
    """Run `circlebot` with argv and return its exit code (it runs its own event loop, so in a thread)."""
    try:
        return await asyncio.to_thread(main, list(argv))
    except SystemExit as exit_:  # argparse's refusal
        return exit_.code


async def test_copy_is_exact_verified_and_new_ids_follow(source: str, db_urls: DbUrls) -> None:
    target = db_urls("target.db", migrated=False)
    report = await copy_database(source, target, chunk=1000)

    assert report.ok, report
    before, after = await dump(source), await dump(target)
    assert after == before
    counts = {t.name: (t.source, t.target) for t in report.tables}
    assert counts == {name: (len(rows), len(rows)) for name, rows in before.items()}
    assert counts["points_ledger"][0] == BULK + 4
    assert (report.communities, report.members) == (1, 3)
    serial = [t for t in metadata.sorted_tables if t.autoincrement_column is not None]
    # Every PostgreSQL sequence; on SQLite the AUTOINCREMENT counters the source moved (pending_welcomes').
    assert report.counters == (len(serial) if target.startswith("postgresql") else 1)
    # The bot goes on in the copy: new rows get ids after the copied ones.
    db = await Database.open(target)
    try:
        award = await do_award_points(
            db, Scoring(PointsConfig()), FakeClock(T0), Grant(GROUP.id, BOB.id, 7, "award", "after:1")
        )
        assert award.applied
        await _new_ids_follow_the_copied(db)
    finally:
        await db.close()
    async with stored(target) as repos:
        assert await repos.ledger.sums(GROUP.id) == await repos.ledger.member_totals(GROUP.id)
        assert (await repos.ledger.member_totals(GROUP.id))[BOB.id][0] == before_score(before, BOB.id) + 7


def before_score(tables: dict[str, list[tuple[Any, ...]]], user_id: int) -> int:
    score = metadata.tables["points_members"].c.keys().index("score")
    return next(row[score] for row in tables["points_members"] if row[1] == user_id)


async def test_cli_prints_the_summary_and_exits_0(source: str, db_urls: DbUrls, capsys) -> None:
    target = db_urls("target.db")  # already migrated: fine, it is empty
    assert await cli("migrate-data", "--from", source, "--to", target, "--chunk", "500") == 0
    out = capsys.readouterr().out
    assert f"points_ledger{BULK + 4:>21}{BULK + 4:>10}" in out
    assert "3 members in 1 communities: ledger sums equal the scores and balances" in out
    assert out.rstrip().endswith("and start the bot")


async def test_a_target_with_rows_is_refused_and_left_alone(source: str, db_urls: DbUrls, capsys) -> None:
    target = db_urls("target.db")
    await (await open_community(target, people=(CAROL,))).close()  # a community of its own
    before = await dump(target)

    assert await cli("migrate-data", "--from", source, "--to", target) == 1
    err = capsys.readouterr().err
    assert "is not empty (communities, memberships, users have rows)" in err
    assert "only writes into an empty database" in err
    assert await dump(target) == before


async def test_a_source_behind_the_code_is_refused(tmp_path: Path, db_urls: DbUrls, capsys) -> None:
    head = head_revision()
    behind = ScriptDirectory.from_config(alembic_config()).get_revision(head).down_revision
    old = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(old)
    await upgrade(engine, behind)
    await engine.dispose()
    target = db_urls("target.db", migrated=False)

    assert await cli("migrate-data", "--from", old, "--to", target) == 1
    err = capsys.readouterr().err
    assert f"is at schema version {behind}, this version of circlebot writes {head}" in err
    assert f"run `CIRCLEBOT__STORAGE__URL='{old}' circlebot migrate` (or start the bot on it once" in err


async def migrated_with(url: str, statements: dict[str, list[str]]) -> None:
    """Migrate the database at url, then run this backend's statements on it."""
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with engine.begin() as conn:
            for statement in statements[conn.dialect.name]:
                await conn.exec_driver_sql(statement)
    finally:
        await engine.dispose()


# Corruptions a broken target could inflict while the copy runs, on each backend: a row silently
# not stored, and a balance silently changed.
_DROP = {
    "sqlite": ["CREATE TRIGGER lose BEFORE INSERT ON admin_audit WHEN NEW.id = 2 BEGIN SELECT RAISE(IGNORE); END"],
    "postgresql": [
        "CREATE FUNCTION lose() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
        "CREATE TRIGGER lose BEFORE INSERT ON admin_audit FOR EACH ROW WHEN (NEW.id = 2) EXECUTE FUNCTION lose()",
    ],
}
_SKEW = {
    "sqlite": [
        "CREATE TRIGGER skew AFTER INSERT ON points_members WHEN NEW.user_id = 1002 BEGIN "
        "UPDATE points_members SET balance = balance + 5 "
        "WHERE community_id = NEW.community_id AND user_id = NEW.user_id; END"
    ],
    "postgresql": [
        "CREATE FUNCTION skew() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN NEW.balance := NEW.balance + 5; RETURN NEW; END $$",
        "CREATE TRIGGER skew BEFORE INSERT ON points_members FOR EACH ROW WHEN (NEW.user_id = 1002) "
        "EXECUTE FUNCTION skew()",
    ],
}


@pytest.mark.parametrize(
    ("corruption", "shown"),
    [
        (_DROP, "admin_audit                      2         1  MISMATCH"),
        (_SKEW, f"target: ledger sums differ from the running totals for 1 member(s), e.g. user {BOB.id}"),
    ],
    ids=["lost-row", "skewed-balance"],
)
async def test_a_corrupted_copy_is_caught_and_nothing_is_written(
    source: str, db_urls: DbUrls, capsys, corruption: dict[str, list[str]], shown: str
) -> None:
    target = db_urls("target.db")
    await migrated_with(target, corruption)

    assert await cli("migrate-data", "--from", source, "--to", target) == 1
    captured = capsys.readouterr()
    assert shown in captured.out
    assert "the copy does not match the source: no rows were written" in captured.err
    assert all(not rows for rows in (await dump(target)).values())


_REFUSE = {
    "sqlite": ["CREATE TRIGGER refuse BEFORE INSERT ON admin_audit WHEN NEW.id = 2 "
               "BEGIN SELECT RAISE(ABORT, 'audit rows are read-only'); END"],
    "postgresql": [
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit rows are read-only'; END $$",
        "CREATE TRIGGER refuse BEFORE INSERT ON admin_audit FOR EACH ROW WHEN (NEW.id = 2) EXECUTE FUNCTION refuse()",
    ],
}


async def test_a_row_the_target_refuses_leaves_it_empty(source: str, db_urls: DbUrls, capsys) -> None:
    target = db_urls("target.db")
    await migrated_with(target, _REFUSE)

    assert await cli("migrate-data", "--from", source, "--to", target) == 1
    err = capsys.readouterr().err
    assert "audit rows are read-only; no rows were written" in err
    assert "Traceback" not in err
    assert all(not rows for rows in (await dump(target)).values())


async def test_bad_arguments_exit_2(tmp_path: Path, source: str, capsys) -> None:
    missing = tmp_path / "nowhere" / "circlebot.db"
    cases = {
        ("--from", f"sqlite+aiosqlite:///{missing}"): "no such SQLite database file",
        ("--from", "mysql://root@localhost/circlebot"): "only sqlite+aiosqlite:// and postgresql+asyncpg://",
        ("--from", "not a url"): "is not a database URL",
        ("--from", source.replace("sqlite+aiosqlite", "sqlite")): "name the same database",
        ("--from", source, "--chunk", "0"): "is not a positive whole number",
    }
    for args, message in cases.items():
        assert await cli("migrate-data", *args, "--to", source) == 2, args
        assert message in capsys.readouterr().err, args
    assert not missing.parent.exists()  # nothing was created where the source was looked for
    assert await cli("migrate-data", "--from", source) == 2
    assert "the following arguments are required: --to" in capsys.readouterr().err


async def test_an_unreachable_target_is_a_clear_error(source: str) -> None:
    with pytest.raises(CopyError) as error:
        await copy_database(source, "postgresql+asyncpg://nobody@127.0.0.1:1/circlebot")
    assert error.value.exit_code == 2
    assert str(error.value).startswith("cannot open postgresql+asyncpg://nobody@127.0.0.1:1/circlebot:")


async def test_postgresql_back_to_sqlite(postgres_urls: DbUrls, tmp_path: Path) -> None:
    origin = postgres_urls("origin")
    await fill(origin)
    target = f"sqlite+aiosqlite:///{tmp_path / 'back.db'}"
    report = await copy_database(origin, target, chunk=700)
    assert report.ok, report
    assert await dump(target) == await dump(origin)
    db = await Database.open(target)
    try:
        await _new_ids_follow_the_copied(db)
    finally:
        await db.close()


async def _new_ids_follow_the_copied(db: Database) -> None:
    """New audit rows and pending welcomes get ids after the two copied ones."""
    async with db.transaction() as repos:
        assert await repos.audit.add(GROUP.id, CAROL.id, "award", BOB.id, None, T0) == 3
        await repos.welcomes.add(GROUP.id, CAROL.id, T0)
        assert [queued for queued, _user in await repos.welcomes.pending(GROUP.id)] == [3]
