"""Fixtures for the paid-content services: a migrated database with a community and members."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.clock import FakeClock
from bot.config import PaymentsConfig, PointsConfig
from bot.i18n import Translator, load_translator
from bot.services.communities import UserInfo
from bot.services.points_rules import Scoring
from storage.db import Database

from tests.fixtures import ALICE, BOB, CAROL, GROUP, PEOPLE, open_community
from tests.databases import DbUrls

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
async def shop(db_urls: DbUrls) -> AsyncIterator[Shop]:
    clock = FakeClock()
    db = await open_community(db_urls("shop.db"), clock.now(), PEOPLE, started=PEOPLE)
    t = load_translator()
    try:
        yield Shop(db, clock, t, Scoring(PointsConfig()), PaymentsConfig(), GROUP.id, ALICE, BOB, CAROL)
    finally:
        await db.close()
