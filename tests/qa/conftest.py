"""Fixtures for the Q&A services: a fresh migrated database, a community and its people."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest

from bot.clock import FakeClock
from bot.config import PointsConfig, QaConfig
from bot.services.communities import UserInfo
from bot.services.points import Grant, do_award_points
from bot.services.points_rules import Scoring
from bot.services.qa_search import QaIndex
from bot.services.questions import QaEnv

from tests.databases import DbUrls
from tests.fixtures import ALICE, BOB, CAROL, DAVE, GROUP, T0, open_community


@dataclass(frozen=True)
class QaWorld:
    """The services' environment and the named people of a test."""

    env: QaEnv
    clock: FakeClock
    group: int
    alice: UserInfo
    bob: UserInfo
    carol: UserInfo
    dave: UserInfo

    async def give(self, user: UserInfo, points: int) -> None:
        """Credit points to a member's balance (an admin award)."""
        key = f"test-give:{user.id}:{points}:{self.clock.now().isoformat()}"
        grant = Grant(self.group, user.id, points, "admin_award", key)
        await do_award_points(self.env.db, self.env.scoring, self.clock, grant)

    async def balances(self) -> dict[int, tuple[int, int]]:
        """Return {user: (score, balance)} summed straight from the ledger."""
        async with self.env.db.read() as repos:
            return await repos.ledger.sums(self.group)

    async def balance(self, user: UserInfo) -> int:
        """Return a member's spendable balance from the ledger."""
        return (await self.balances()).get(user.id, (0, 0))[1]

    async def score(self, user: UserInfo) -> int:
        """Return a member's score from the ledger."""
        return (await self.balances()).get(user.id, (0, 0))[0]


@asynccontextmanager
async def open_world(url: str) -> AsyncIterator[QaWorld]:
    """Open the database at url with the community and its people; close it afterwards."""
    people = (ALICE, BOB, CAROL, DAVE)
    db = await open_community(url, T0, people, started=(ALICE,))  # the others never started the bot
    clock = FakeClock(T0)
    config = QaConfig()
    env = QaEnv(db, clock, Scoring(PointsConfig()), config, QaIndex(db, config))
    try:
        yield QaWorld(env, clock, GROUP.id, *people)
    finally:
        await env.index.close()
        await db.close()


@pytest.fixture
async def world(db_urls: DbUrls) -> AsyncIterator[QaWorld]:
    async with open_world(db_urls("qa.db")) as opened:
        yield opened
