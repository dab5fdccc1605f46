"""Memberships: joins, leaves, re-joins, admins."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from storage.db import Database

from tests.fixtures import People


async def test_join_leave_rejoin(db: Database, people: People, t0: dt.datetime) -> None:
    t1, t2, t3 = (t0 + dt.timedelta(days=d) for d in (1, 2, 3))
    async with db.transaction() as repos:
        await repos.users.upsert(9, "Dan", None, None, None, False, t0)
        joined, previous = await repos.memberships.upsert(people.group, 9, "member", False, t1)
        assert previous is None and (joined.joined_at, joined.left_at, joined.is_active) == (t1, None, True)
        left, previous = await repos.memberships.upsert(people.group, 9, "left", False, t2)
        assert previous == "member" and (left.joined_at, left.left_at, left.is_active) == (t1, t2, False)
        kicked, previous = await repos.memberships.upsert(people.group, 9, "kicked", False, t3)
        assert previous == "left" and kicked.left_at == t2  # still the time they left
        back, previous = await repos.memberships.upsert(people.group, 9, "member", False, t3)
        assert previous == "kicked" and (back.joined_at, back.left_at) == (t3, None)
        restricted, previous = await repos.memberships.upsert(people.group, 9, "restricted", False, t3)
        assert previous == "member" and restricted.joined_at == t3


async def test_set_status(db: Database, people: People, t0: dt.datetime) -> None:
    later = t0 + dt.timedelta(hours=1)
    async with db.transaction() as repos:
        assert await repos.memberships.set_status(people.group, people.bob, "left", later) == "member"
        assert await repos.memberships.set_status(people.group, 424242, "left", later) is None
        bob = await repos.memberships.get(people.group, people.bob)
        assert await repos.memberships.count_active(people.group) == 2
    assert bob is not None and bob.status == "left" and bob.left_at == later


async def test_membership_needs_known_user_and_community(
    db: Database, people: People, t0: dt.datetime
) -> None:
    with pytest.raises(IntegrityError):
        async with db.transaction() as repos:
            await repos.memberships.upsert(people.group, 424242, "member", False, t0)
    with pytest.raises(IntegrityError):
        async with db.transaction() as repos:
            await repos.memberships.upsert(-5, people.alice, "member", False, t0)


async def test_set_admins(db: Database, people: People, t0: dt.datetime) -> None:
    async with db.transaction() as repos:
        await repos.users.upsert(9, "Dan", None, None, None, False, t0)
        await repos.memberships.upsert(people.group, people.bob, "left", False, t0)
        granted, revoked = await repos.memberships.set_admins(people.group, {people.alice, people.bob, 9}, t0)
        assert (granted, revoked) == ({people.alice, people.bob, 9}, {people.carol_admin})
        assert await repos.memberships.admins(people.group) == {people.alice, people.bob, 9}
        dan = await repos.memberships.get(people.group, 9)
        assert dan is not None and dan.status == "member" and dan.is_admin
        bob = await repos.memberships.get(people.group, people.bob)
        assert bob is not None and bob.status == "member"  # an admin is in the group
        carol = await repos.memberships.get(people.group, people.carol_admin)
        assert carol is not None and not carol.is_admin and carol.is_active
        revoked = await repos.memberships.set_admins(people.group, set(), t0)
        assert revoked == (set(), {people.alice, people.bob, 9})
        assert await repos.memberships.admins(people.group) == set()


async def test_language_override(db: Database, people: People) -> None:
    async with db.transaction() as repos:
        await repos.memberships.set_language(people.group, people.alice, "zh")
        alice = await repos.memberships.get(people.group, people.alice)
    assert alice is not None and alice.language == "zh"
