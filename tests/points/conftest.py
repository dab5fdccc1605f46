"""Fixtures for the points services: a fresh migrated database with a community and people."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database

from points_world import World, make_world  # tests/points is on sys.path (rootdir insertion)
from tests.databases import DbUrls


@pytest.fixture
async def world(db_urls: DbUrls, t0: dt.datetime) -> AsyncIterator[World]:
    w = await make_world(db_urls("points.db"), t0)
    try:
        yield w
    finally:
        await w.db.close()


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty database file to copy (migrating once is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "points.db"

    async def create() -> None:
        db = await Database.open(f"sqlite+aiosqlite:///{path}")
        await db.close()

    asyncio.run(create())
    return path
