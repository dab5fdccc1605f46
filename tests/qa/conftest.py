"""Fixtures for the Q&A services: a fresh migrated database, a community and its people."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config import PointsConfig, QaConfig
from bot.services.communities import UserInfo
from bot.services.points import do_award_points
from bot.services.points_rules import Scoring
from bot.services.qa_search import QaIndex
from bot.services.questions import QaEnv
from storage.db import Database

GROUP = -1001234567890
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


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
        await do_award_points(self.env.db, self.env.scoring, self.clock, self.group, user.id, points, "admin_award",
                              f"test-give:{user.id}:{points}:{self.clock.now().isoformat()}")

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
async def open_world(folder: Path) -> AsyncIterator[QaWorld]:
    """Open a database in folder with the community and its people; close it afterwards."""
    db = await Database.open(f"sqlite+aiosqlite:///{folder / 'qa.db'}")
    clock = FakeClock(T0)
    people = [
        UserInfo(1001, "Alice", None, "alice", "en"),
        UserInfo(1002, "Bob", "Li", "bob", "zh-hans"),
        UserInfo(1003, "Carol", None, "carol_admin", "en"),
        UserInfo(1004, "Dave", None, "dave", "en"),
    ]
    async with db.transaction() as repos:
        await repos.communities.register(GROUP, "Rust Circle", "supergroup", None, T0)
        for p in people:
            await repos.users.upsert(p.id, p.first_name, p.last_name, p.username, p.language_code, False, T0)
            await repos.memberships.upsert(GROUP, p.id, "member", p.id == 1003, T0)
        await repos.users.mark_started(1001, T0)  # Alice started the bot; the others did not
    config = QaConfig()
    env = QaEnv(db, clock, Scoring(PointsConfig()), config, QaIndex(db, config))
    try:
        yield QaWorld(env, clock, GROUP, *people)
    finally:
        await env.index.close()
        await db.close()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[QaWorld]:
    async with open_world(tmp_path) as opened:
        yield opened
