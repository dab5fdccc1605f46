"""Group messages write member_days in the same batch as their points; /stats counts from it."""

from __future__ import annotations


import sqlalchemy as sa

from bot.clock import FakeClock
from bot.config import PointsConfig
from bot.services.earning import MessageSeen, ReactionSeen, do_record_events
from bot.services.points_rules import Scoring, local_day
from storage.schema import member_days
from tests.fixtures import ALICE, BOB, GROUP, T0, open_community
from tests.databases import DbUrls


async def test_messages_count_per_member_and_local_day(db_urls: DbUrls) -> None:
    db = await open_community(db_urls("a.db"), timezone="Asia/Shanghai")
    clock, scoring = FakeClock(T0), Scoring(PointsConfig())
    try:
        events = [MessageSeen(GROUP.id, ALICE, 1, 40), MessageSeen(GROUP.id, ALICE, 2, 3, earns=False),
                  MessageSeen(GROUP.id, ALICE, 2, 3), MessageSeen(GROUP.id, BOB, 3, 40),
                  ReactionSeen(GROUP.id, BOB, 1, (), ("👍",))]
        await do_record_events(db, scoring, clock, events)
        clock.advance(hours=16)  # 01:00 next day in Shanghai
        await do_record_events(db, scoring, clock, [MessageSeen(GROUP.id, ALICE, 4, 40)])
        async with db.read() as repos:
            rows = (await repos.conn.execute(
                sa.select(member_days.c.day, member_days.c.user_id, member_days.c.messages).order_by("day", "user_id")
            )).all()
    finally:
        await db.close()
    today = local_day(T0, "Asia/Shanghai")
    # Message 2 came twice (a replay in the same batch): counted once. A reaction is not a message.
    assert [tuple(r) for r in rows] == [(today, ALICE.id, 2), (today, BOB.id, 1), (today + 1, ALICE.id, 1)]
