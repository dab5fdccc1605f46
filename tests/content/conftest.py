"""Fixtures for the paid-content services: a migrated database with a community and members."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config import PaymentsConfig, PointsConfig
from bot.i18n import Translator, load_translator
from bot.services.communities import UserInfo
from bot.services.points_rules import Scoring
from storage.db import Database

SECRET = b"test-secret"


@dataclass(frozen=True)
class Shop:
    """What the service tests share."""

    db: Database
    clock: FakeClock
    t: Translator
    scoring: Scoring
    config: PaymentsConfig
    group: int
    alice: UserInfo
    bob: UserInfo
    carol: UserInfo

    @property
    def levels(self) -> tuple[int, ...]:
        return self.scoring.config.levels


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    db = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
    clock = FakeClock()
    t = load_translator()
    group = -1001234567890
    people = (
        UserInfo(1001, "Alice", None, "alice", "en"),
        UserInfo(1002, "Bob", None, "bob", "zh-hans"),
        UserInfo(1003, "Carol", None, "carol", "en"),
    )
    now = clock.now()
    async with db.transaction() as repos:
        await repos.communities.register(group, "Rust Circle", "supergroup", None, now)
        for user in people:
            await repos.users.upsert(user.id, user.first_name, None, user.username, user.language_code, False, now)
            await repos.users.mark_started(user.id, now)
            await repos.memberships.upsert(group, user.id, "member", user.id == 1003, now)
    try:
        yield Shop(db, clock, t, Scoring(PointsConfig()), PaymentsConfig(), group, *people)
    finally:
        await db.close()
