"""A small community whose /stats figures are known by hand (dates are UTC, the community's zone).

Cohort weeks of /stats on NOW (Mon 2026-02-09), 8 weeks ending today: w2 = Dec 30..Jan 5,
w3 = Jan 6..12, w4 = Jan 13..19, w5 = Jan 20..26, w6 = Jan 27..Feb 2, w7 = Feb 3..9.
Alice, Bob and Carol join on Jan 5 (w2), Dave on Jan 14 (w4); Bob leaves on Feb 1.
"""

from __future__ import annotations

import datetime as dt

from storage.db import Database
from tests.fixtures import ALICE, BOB, CAROL, DAVE, GROUP, T0, open_community

NOW = dt.datetime(2026, 2, 9, 9, 0, tzinfo=dt.UTC)


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)


def day(month: int, d: int) -> int:
    return dt.date(2026, month, d).toordinal()


# (user, day, messages): Alice in w3, w4, w6 and today; Bob in w3; Dave in w5; Carol today.
ACTIVITY = [
    (ALICE.id, day(1, 7), 1), (BOB.id, day(1, 8), 2), (ALICE.id, day(1, 14), 3), (DAVE.id, day(1, 20), 2),
    (ALICE.id, day(1, 28), 1), (ALICE.id, day(2, 9), 2), (CAROL.id, day(2, 9), 1),
]
# Scored points per member-day; Bob's are before the 30-day period.
POINTS = [(ALICE.id, day(1, 14), 10), (DAVE.id, day(1, 20), 4), (CAROL.id, day(2, 9), 6), (BOB.id, day(1, 1), 100)]


async def build_world(url: str) -> Database:
    """Create the community with its members, activity, Q&A, points, content, payments and digests."""
    db = await open_community(url, T0, (ALICE, BOB, CAROL))
    g = GROUP.id
    async with db.transaction() as repos:
        await repos.users.upsert(DAVE.id, "戴夫", "王", DAVE.username, "zh-hans", False, T0)
        await repos.memberships.upsert(g, DAVE.id, "member", False, at(1, 14))
        await repos.memberships.set_status(g, BOB.id, "left", at(2, 1))
        await repos.activity.add_messages([(g, d, u, n) for u, d, n in ACTIVITY])
        await repos.points.add_to_days([(g, d, u, n) for u, d, n in POINTS])
        await repos.badges.add(g, ALICE.id, "newcomer", T0)
        await repos.badges.add(g, ALICE.id, "helper", T0)
        # Q#1 (Jan 20): answered after 30 min by Bob, after 3 h by Dave, whose answer is accepted at 13:00.
        q1 = await repos.questions.create(g, ALICE.id, "How do I pin a message?", 101, 0, at(1, 20, 10))
        await repos.answers.create(q1.id, g, BOB.id, 102, "Long-press it.", at(1, 20, 10, 30))
        a2 = await repos.answers.create(q1.id, g, DAVE.id, 103, "长按消息，然后选择置顶。", at(1, 20, 13))
        await repos.questions.finish(q1.id, "solved", at(1, 20, 13), accepted_answer_id=a2.id)
        # Q#2 (Feb 1): answered after 2 h, open. Q#0 before the period does not count.
        old = await repos.questions.create(g, BOB.id, "Old question", 100, 0, at(1, 2))
        await repos.answers.create(old.id, g, ALICE.id, 99, "Old answer", at(1, 9))
        q2 = await repos.questions.create(g, DAVE.id, "为什么机器人不回复？", 104, 0, at(2, 1, 9))
        await repos.answers.create(q2.id, g, ALICE.id, 105, "Check its privacy mode.", at(2, 1, 11))
        item = await repos.content.add(at(1, 20), community_id=g, creator_id=CAROL.id, title="Guide", tags=[],
                                       kind="text")
        await repos.content.add_open(g, item.id, ALICE.id, at(1, 21))
        await repos.content.add_open(g, item.id, ALICE.id, at(1, 22))
        await repos.content.add_open(g, item.id, DAVE.id, at(1, 22))
        # Alice pays 50 on Jan 20; Bob's 20 the same day is refunded on Jan 25; Carol renews a plan for 10.
        await repos.payments.add(at(1, 20), charge_id="ch-alice", community_id=g, user_id=ALICE.id, kind="item",
                                 item_id=item.id, currency="XTR", amount=50)
        bob = await repos.payments.add(at(1, 20), charge_id="ch-bob", community_id=g, user_id=BOB.id, kind="item",
                                       item_id=item.id, currency="XTR", amount=20)
        await repos.payments.move(bob.id, ("paid",), "refunded", refunded_at=at(1, 25), refund_reason="admin")
        plan = await repos.plans.add(g, "Gold", 10, at(1, 1))
        await repos.payments.add(at(2, 5), charge_id="ch-carol", community_id=g, user_id=CAROL.id, kind="plan",
                                 plan_id=plan.id, currency="XTR", amount=10,
                                 subscription_expires_at=at(3, 5), is_first_recurring=False)
        await repos.plans.extend(g, CAROL.id, plan.id, at(3, 5), at(2, 5))
        # Digests: two queued this period, one sent (to Alice); one from December does not count.
        for key, chat, when in (("d1", ALICE.id, at(2, 2)), ("d2", DAVE.id, at(2, 2)), ("d0", ALICE.id, at(1, 1))):
            await repos.outbox.enqueue(key, chat, "engagement/digest", {}, when, community_id=g)
        sent = await repos.outbox.due(at(2, 3), 10)
        await repos.outbox.mark_sent(next(m.id for m in sent if m.dedupe_key == "d1"), at(2, 2, 10))
    return db
