"""Fixtures for the settings services: a fresh migrated database with one community, and a config."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import FakeClock
from bot.config import Settings
from bot.i18n import Translator, load_translator
from storage.db import Database

from tests.fixtures import ALICE, GROUP, registered_group
from tests.fixtures import CAROL as CAROL_INFO
from tests.databases import DbUrls

CAROL = CAROL_INFO.id


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def config() -> Settings:
    """Defaults that differ from the built-in ones, so a test sees they come from the config."""
    return Settings(
        bot={"default_language": "zh", "timezone": "Asia/Shanghai"},
        onboarding={"gate": "rules", "gate_timeout": 15, "tags": ["Rust", "Go"]},
        points={"message": 2, "announce_levels": False},
    )


@pytest.fixture(scope="session")
def t() -> Translator:
    return load_translator()


@pytest.fixture
async def db(db_urls: DbUrls, clock: FakeClock) -> AsyncIterator[Database]:
    async with registered_group(db_urls("settings.db"), clock) as database:
        yield database
