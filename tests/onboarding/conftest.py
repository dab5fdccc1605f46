"""Fixtures for the onboarding services: a fresh migrated database with one community and no members yet."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config import OnboardingConfig
from bot.services.communities import do_register_community
from storage.db import Database

from tests.fixtures import GROUP


@pytest.fixture
def defaults() -> OnboardingConfig:
    return OnboardingConfig(gate_timeout=10)


@pytest.fixture
async def db(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Database]:
    database = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'onboarding.db'}")
    await do_register_community(database, clock, GROUP, [], "greet:test")
    try:
        yield database
    finally:
        await database.close()
