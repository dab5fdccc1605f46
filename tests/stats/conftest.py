"""Fixtures for /stats and /export: the small known world of console_world.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database
from tests.stats.console_world import build_world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[Database]:
    db = await build_world(tmp_path / "console.db")
    try:
        yield db
    finally:
        await db.close()
