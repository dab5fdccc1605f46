"""Communities: registration, leaving, supergroup migration."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from storage.db import Database
from storage.schema import admin_audit, community_settings, memberships

from tests.fixtures import People


async def test_register_is_idempotent_and_greets_once_per_addition(db: Database, t0: dt.datetime) -> None:
    later = t0 + dt.timedelta(hours=1)
    async with db.transaction() as repos:
        first, created = await repos.communities.register(-100, "Old title", "group", None, t0)
        assert created and first.status == "active" and first.language == "en" and first.timezone == "UTC"
        again, created = await repos.communities.register(-100, "New title", "group", "newname", later)
        assert not created
        assert (again.title, again.username, again.created_at, again.updated_at) == (
            "New title",
            "newname",
            t0,
            later,
        )
        await repos.communities.mark_left(-100, later)
        assert (await repos.communities.get(-100)).status == "left"  # type: ignore[union-attr]
        back, created = await repos.communities.register(-100, "New title", "group", None, later)
        assert created and back.status == "active"
        _, created = await repos.communities.register(-100, "New title", "group", None, later)
        assert not created


async def test_set_language_and_timezone(db: Database, people: People, t0: dt.datetime) -> None:
    async with db.transaction() as repos:
        await repos.communities.set_language(people.group, "zh", t0)
        await repos.communities.set_timezone(people.group, "Asia/Shanghai", t0)
    async with db.read() as repos:
        community = await repos.communities.get(people.group)
    assert community is not None and (community.language, community.timezone) == ("zh", "Asia/Shanghai")


async def _count(db: Database, table: sa.Table, community_id: int) -> int:
    async with db.read() as repos:
        return int(
            await repos.conn.scalar(
                sa.select(sa.func.count()).select_from(table).where(table.c.community_id == community_id)
            )
            or 0
        )


async def test_migrate_id_moves_every_row(db: Database, people: People, t0: dt.datetime) -> None:
    new_id = -1009876543210
    async with db.transaction() as repos:
        await repos.settings.set(people.group, "gate", "rules", people.carol_admin, t0)
        await repos.audit.add(people.group, people.carol_admin, "award", people.alice, {"points": 5}, t0)
        await repos.outbox.enqueue(
            "welcome:1", people.group, "onboarding/welcome", {"users": [], "group": people.group}, t0,
            community_id=people.group,
        )
        assert await repos.communities.migrate_id(people.group, new_id, t0)

    async with db.read() as repos:
        assert await repos.communities.get(people.group) is None
        moved = await repos.communities.get(new_id)
        assert moved is not None and moved.chat_type == "supergroup" and moved.title == "Rust Circle"
        assert await repos.memberships.admins(new_id) == {people.carol_admin}
        assert await repos.memberships.count_active(new_id) == 3
        assert await repos.settings.get(new_id, "gate") == "rules"
        assert [e.action for e in await repos.audit.list(new_id)] == ["award"]
        [welcome] = await repos.outbox.due(t0, 10)
        # Still to be sent: to the supergroup, and its deep link names the supergroup.
        assert (welcome.chat_id, welcome.community_id, welcome.params["group"]) == (new_id, new_id, new_id)
    for table in (memberships, community_settings, admin_audit):
        assert await _count(db, table, people.group) == 0


async def test_migrate_id_when_new_chat_was_registered_first(
    db: Database, people: People, t0: dt.datetime
) -> None:
    new_id = -1009876543210
    async with db.transaction() as repos:
        await repos.settings.set(people.group, "gate", "rules", people.carol_admin, t0)
        await repos.communities.register(new_id, "Rust Circle 2", "supergroup", "rust2", t0)
        await repos.memberships.upsert(new_id, people.bob, "member", True, t0)
        assert await repos.communities.migrate_id(people.group, new_id, t0)
    async with db.read() as repos:
        moved = await repos.communities.get(new_id)
        assert moved is not None and (moved.title, moved.username) == ("Rust Circle 2", "rust2")
        assert await repos.settings.get(new_id, "gate") == "rules"
        assert await repos.memberships.admins(new_id) == {people.carol_admin}
        assert await repos.communities.get(people.group) is None


async def test_migrate_unknown_id_is_a_no_op(db: Database, t0: dt.datetime) -> None:
    async with db.transaction() as repos:
        assert not await repos.communities.migrate_id(-1, -2, t0)


async def test_list_for_user(db: Database, people: People, t0: dt.datetime) -> None:
    async with db.transaction() as repos:
        await repos.communities.register(-200, "Another", "group", None, t0)
        await repos.memberships.upsert(-200, people.alice, "member", False, t0)
        await repos.communities.register(-300, "Gone", "group", None, t0)
        await repos.memberships.upsert(-300, people.alice, "member", False, t0)
        await repos.communities.mark_left(-300, t0)
        await repos.communities.register(-400, "Left it", "group", None, t0)
        await repos.memberships.upsert(-400, people.alice, "left", False, t0)
    async with db.read() as repos:
        listed = await repos.communities.list_for_user(people.alice)
    assert [(c.title, m.user_id, m.status) for c, m in listed] == [
        ("Another", people.alice, "member"),
        ("Rust Circle", people.alice, "member"),
    ]
