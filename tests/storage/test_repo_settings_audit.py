"""Community settings and the admin audit log."""

from __future__ import annotations

import datetime as dt

from storage.db import Database

from tests.fixtures import People


async def test_settings_roundtrip_json(db: Database, people: People, t0: dt.datetime) -> None:
    async with db.transaction() as repos:
        assert await repos.settings.get(people.group, "tags", ["default"]) == ["default"]
        await repos.settings.set(people.group, "tags", ["rust", "async"], people.carol_admin, t0)
        await repos.settings.set(people.group, "gate", {"mode": "rules", "timeout": 10}, None, t0)
        await repos.settings.set(people.group, "tags", ["rust"], people.carol_admin, t0)
        await repos.settings.set(people.group, "quiet", None, None, t0)
    async with db.read() as repos:
        assert await repos.settings.get_all(people.group) == {
            "tags": ["rust"],
            "gate": {"mode": "rules", "timeout": 10},
            "quiet": None,
        }
        assert await repos.settings.get_all(-5) == {}
    async with db.transaction() as repos:
        assert await repos.settings.delete(people.group, "tags")
        assert not await repos.settings.delete(people.group, "tags")
        assert await repos.settings.get(people.group, "tags") is None


async def test_audit_add_and_list_newest_first(db: Database, people: People, t0: dt.datetime) -> None:
    async with db.transaction() as repos:
        ids = [
            await repos.audit.add(
                people.group,
                people.carol_admin,
                "award",
                people.alice,
                {"n": n},
                t0 + dt.timedelta(minutes=n),
            )
            for n in range(5)
        ]
        await repos.audit.add(people.group, people.carol_admin, "settings", None, None, t0)
    async with db.read() as repos:
        entries = await repos.audit.list(people.group, limit=3)
    assert ids == sorted(ids)
    assert [e.details for e in entries] == [{"n": 4}, {"n": 3}, {"n": 2}]
    assert entries[0].target_user_id == people.alice and entries[0].created_at == t0 + dt.timedelta(minutes=4)
