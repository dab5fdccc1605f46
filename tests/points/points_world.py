"""The named world of the points tests: a migrated database, the usual community and its people."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.clock import FakeClock
from bot.config import PointsConfig
from bot.services.communities import UserInfo
from bot.services.points_rules import Scoring
from storage.db import Database

from tests.fixtures import ALICE, BOB, CAROL, GROUP, ROBOT, open_community, register_community


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
    url: str, t0: dt.datetime, config: PointsConfig | None = None, timezone: str = "UTC", db: Database | None = None
) -> World:
    """Open the database at url (unless db is given) and register the group and the people (the caller closes db)."""
    people = (ALICE, BOB, CAROL, ROBOT)
    if db is None:
        db = await open_community(url, t0, people, timezone=timezone)
    else:
        await register_community(db, t0, people, timezone=timezone)
    scoring = Scoring(config or PointsConfig())
    db.on_users_commit(scoring.known.forget)  # as bot/app.py wires it
    return World(db, FakeClock(t0), scoring, GROUP.id, *people)
