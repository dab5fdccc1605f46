"""Fixtures for the onboarding services: a fresh migrated database with one community and no members yet."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import FakeClock
from bot.config import OnboardingConfig
from storage.db import Database

from tests.fixtures import registered_group
from tests.databases import DbUrls


@pytest.fixture
def defaults() -> OnboardingConfig:
    return OnboardingConfig(gate_timeout=10)


@pytest.fixture
async def db(db_urls: DbUrls, clock: FakeClock) -> AsyncIterator[Database]:
    async with registered_group(db_urls("onboarding.db"), clock) as database:
        yield database
