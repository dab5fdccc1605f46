"""Fixtures: a fresh, migrated SQLite database file per test."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database

from storage_people import People  # tests/storage is on sys.path (pytest rootdir insertion)


@pytest.fixture
def t0() -> dt.datetime:
    return dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    # A missing parent directory on purpose: Database.open must create it.
    return f"sqlite+aiosqlite:///{tmp_path / 'data' / 'circlebot.db'}"


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = await Database.open(db_url)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def people(db: Database, t0: dt.datetime) -> People:
    """Register a supergroup (its id needs 64 bits) with alice, bob and carol_admin."""
    ids = People(group=-1001234567890, alice=1001, bob=1002, carol_admin=1003)
    async with db.transaction() as repos:
        await repos.communities.register(ids.group, "Rust Circle", "supergroup", "rustcircle", t0)
        for uid, name in ((ids.alice, "Alice"), (ids.bob, "Bob"), (ids.carol_admin, "Carol")):
            await repos.users.upsert(uid, name, None, name.lower(), "en", False, t0)
            await repos.memberships.upsert(ids.group, uid, "member", uid == ids.carol_admin, t0)
    return ids
