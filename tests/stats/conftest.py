"""Fixtures for /stats and /export: the small known world of console_world.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.db import Database
from tests.stats.console_world import build_world
from tests.databases import DbUrls


@pytest.fixture
async def world(db_urls: DbUrls) -> AsyncIterator[Database]:
    db = await build_world(db_urls("console.db"))
    try:
        yield db
    finally:
        await db.close()
