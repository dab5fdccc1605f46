"""Apply Alembic migrations programmatically, sharing our async connection."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import WRITE_OPTIONS, create_engine

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """Build an Alembic Config pointing at the packaged migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    """Return the newest revision id shipped with the code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


# PostgreSQL advisory lock key held while migrating: processes that start together migrate one at a time.
MIGRATION_LOCK = 0x63_62_6D_67  # "cbmg"


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate the database behind engine to revision, in one write transaction.

    On PostgreSQL the transaction first takes an advisory lock, so of several workers started
    at once one migrates and the others then find the schema at head (DDL is transactional).
    """
    async with engine.connect() as conn:
        await conn.execution_options(**WRITE_OPTIONS)
        async with conn.begin():
            if conn.dialect.name == "postgresql":
                await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK)))
            await conn.run_sync(_upgrade, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    """Return the revision the database is at, or None when it was never migrated."""
    async with engine.connect() as conn:
        return await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    # env.py picks this up and runs on it instead of creating its own engine/event loop.
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def run_migrations(url: str) -> None:
    """Migrate the database at url to head (for the `circlebot migrate` command)."""

    async def run() -> None:
        engine = create_engine(url)
        try:
            await upgrade(engine)
            log.info("database at revision %s", await current_revision(engine))
        finally:
            await engine.dispose()

    asyncio.run(run())
