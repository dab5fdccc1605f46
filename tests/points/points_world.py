"""The named world of the points tests: a migrated database, a community and its people."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from bot.clock import FakeClock
from bot.config import PointsConfig
from bot.services.communities import UserInfo
from bot.services.points_rules import Scoring
from storage.db import Database

GROUP = -1001234567890


@dataclass(frozen=True)
class World:
    """The database, the clock, the scoring state and the named people of a test."""

    db: Database
    clock: FakeClock
    scoring: Scoring
    group: int
    alice: UserInfo
    bob: UserInfo
    carol: UserInfo
    robot: UserInfo


async def make_world(
    path: Path, t0: dt.datetime, config: PointsConfig | None = None, timezone: str = "UTC", db: Database | None = None
) -> World:
    """Open a database (unless given) and register the group and the people (the caller closes db)."""
    db = db or await Database.open(f"sqlite+aiosqlite:///{path}")
    clock = FakeClock(t0)
    people = [
        UserInfo(1001, "Alice", None, "alice", "en"),
        UserInfo(1002, "Bob", "Li", "bob", "zh-hans"),
        UserInfo(1003, "Carol", None, "carol_admin", "en"),
        UserInfo(1999, "Robot", None, "robot_bot", None, is_bot=True),
    ]
    async with db.transaction() as repos:
        await repos.communities.register(GROUP, "Rust Circle", "supergroup", "rustcircle", t0)
        await repos.communities.set_timezone(GROUP, timezone, t0)
        for p in people:
            await repos.users.upsert(p.id, p.first_name, p.last_name, p.username, p.language_code, p.is_bot, t0)
            await repos.memberships.upsert(GROUP, p.id, "member", p.id == 1003, t0)
    scoring = Scoring(config or PointsConfig())
    return World(db, clock, scoring, GROUP, *people)
