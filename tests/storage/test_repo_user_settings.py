"""Member preferences: JSON values per member and key."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from storage.db import Database

from tests.fixtures import People


async def test_user_settings_roundtrip_per_member(db: Database, people: People, t0: dt.datetime) -> None:
    async with db.transaction() as repos:
        assert await repos.user_settings.get(people.alice, "language", "auto") == "auto"
        await repos.user_settings.set(people.alice, "language", "zh", t0)
        await repos.user_settings.set(people.alice, "language", "en", t0 + dt.timedelta(minutes=1))
        await repos.user_settings.set(people.alice, "quiet", {"from": 22, "to": 7}, t0)
        await repos.user_settings.set(people.bob, "language", "zh", t0)
    async with db.read() as repos:
        assert await repos.user_settings.get_all(people.alice) == {"language": "en", "quiet": {"from": 22, "to": 7}}
        assert await repos.user_settings.get(people.bob, "language") == "zh"
        assert await repos.user_settings.get_all(people.carol_admin) == {}
    async with db.transaction() as repos:
        assert await repos.user_settings.delete(people.alice, "language")
        assert not await repos.user_settings.delete(people.alice, "language")
        assert await repos.user_settings.get(people.alice, "language") is None


async def test_user_settings_need_a_known_user(db: Database, people: People, t0: dt.datetime) -> None:
    with pytest.raises(IntegrityError):
        async with db.transaction() as repos:
            await repos.user_settings.set(424242, "language", "zh", t0)
