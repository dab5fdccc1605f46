"""Fixtures: a fresh, migrated database per test and backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database

from tests.databases import DbUrls
from tests.fixtures import IDS, PEOPLE, T0, People, open_community, register_community


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """For tests of what only SQLite has (pragmas, its locking): a file in a folder not yet made."""
    # A missing parent directory on purpose: Database.open must create it.
    return f"sqlite+aiosqlite:///{tmp_path / 'data' / 'circlebot.db'}"


@pytest.fixture
def db_url(backend: str, db_urls: DbUrls, sqlite_url: str) -> str:
    return sqlite_url if backend == "sqlite" else db_urls("circlebot.db")


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = await Database.open(db_url)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def people(db: Database) -> People:
    """Register the usual supergroup (its id needs 64 bits) with alice, bob and carol_admin."""
    await register_community(db)
    return IDS


@pytest.fixture
async def two(postgres_urls: DbUrls) -> AsyncIterator[tuple[Database, Database]]:
    """PostgreSQL: two processes' engines on one migrated database with the group and its people."""
    url = postgres_urls("shared")
    first = await open_community(url, T0, PEOPLE, started=PEOPLE)
    second = await Database.open(url, migrate=False)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()
