"""Migrations: they build exactly schema.metadata and can be applied from the CLI."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from storage.db import Database
from storage.engine import create_engine
from storage.migrate import current_revision, head_revision, run_migrations
from storage.schema import metadata
from tests.databases import DbUrls


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_migrated_schema_equals_metadata(db: Database) -> None:
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_diff) == []
    assert await current_revision(db.engine) == head_revision()


async def test_open_twice_is_idempotent(db_urls: DbUrls) -> None:
    url = db_urls("fresh.db", migrated=False)  # every revision applies from nothing, on each backend
    for _ in range(2):
        db = await Database.open(url)
        assert await current_revision(db.engine) == head_revision()
        await db.close()


async def test_open_without_migrate_leaves_database_empty(db_urls: DbUrls) -> None:
    db = await Database.open(db_urls("empty.db", migrated=False), migrate=False)
    try:
        assert await current_revision(db.engine) is None
    finally:
        await db.close()


def test_run_migrations_for_the_cli(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli' / 'bot.db'}"
    run_migrations(url)
    run_migrations(url)  # a second run is a no-op

    async def revision() -> str | None:
        engine = create_engine(url)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    assert asyncio.run(revision()) == head_revision()
