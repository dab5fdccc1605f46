"""Admin checks: anonymous admins only as the group itself; the list is cached until invalidated."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.services.admins import AdminDirectory, AdminInfo
from storage.db import Database

from tests.fixtures import CAROL as CAROL_USER
from tests.fixtures import GROUP

CAROL = AdminInfo(CAROL_USER.id, CAROL_USER.first_name, CAROL_USER.last_name, CAROL_USER.username, False)


async def test_anonymous_admin_and_cache(db: Database, clock: FakeClock) -> None:
    calls: list[int] = []

    async def fetch(chat_id: int) -> list[AdminInfo]:
        calls.append(chat_id)
        return [CAROL, AdminInfo(99, "Some Bot", None, "some_bot", True)]

    admins = AdminDirectory(db, clock, fetch, ttl=600, owners=[7])
    assert await admins.is_admin(GROUP.id, CAROL.user_id)
    assert not await admins.is_admin(GROUP.id, 99)  # bots in the list are no admins
    assert not await admins.is_admin(GROUP.id, 1001)
    assert await admins.is_admin(GROUP.id, 7)  # a config owner
    assert calls == [GROUP.id]  # cached
    # Anonymous admins post as the group; a linked channel posting here is not an admin.
    assert await admins.is_admin(GROUP.id, 1087968824, sender_chat_id=GROUP.id)
    assert not await admins.is_admin(GROUP.id, 1087968824, sender_chat_id=-100777)
    admins.invalidate(GROUP.id)
    await admins.is_admin(GROUP.id, CAROL.user_id)
    assert calls == [GROUP.id, GROUP.id]
    async with db.read() as repos:
        assert await repos.memberships.admins(GROUP.id) == {CAROL.user_id}
