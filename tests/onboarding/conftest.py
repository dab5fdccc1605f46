"""Fixtures for the onboarding services: a fresh migrated database with one community and no members yet."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config import OnboardingConfig
from storage.db import Database

from tests.fixtures import registered_group


@pytest.fixture
def defaults() -> OnboardingConfig:
    return OnboardingConfig(gate_timeout=10)


@pytest.fixture
async def db(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Database]:
    async with registered_group(tmp_path / "onboarding.db", clock) as database:
        yield database
