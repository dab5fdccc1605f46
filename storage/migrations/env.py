"""Alembic environment: runs on a shared connection, or makes its own async engine."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from storage.engine import WRITE_OPTIONS, create_engine
from storage.schema import metadata

config = context.config
target_metadata = metadata


def _url() -> str:
    return os.environ.get("CIRCLEBOT__STORAGE__URL") or config.get_main_option(
        "sqlalchemy.url", "sqlite+aiosqlite:///data/circlebot.db"
    )


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_on(connection: Connection) -> None:
    """Run the migrations on a connection that is already open."""
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_async() -> None:
    """Run the migrations on a fresh engine (the `alembic` command line)."""
    engine = create_engine(_url())
    try:
        async with engine.connect() as conn:
            await conn.execution_options(**WRITE_OPTIONS)
            async with conn.begin():
                await conn.run_sync(run_on)
    finally:
        await engine.dispose()


def run_offline() -> None:
    """Emit SQL to stdout instead of running it (`alembic upgrade --sql`)."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
elif (shared := config.attributes.get("connection")) is not None:
    run_on(shared)
else:
    asyncio.run(run_async())
