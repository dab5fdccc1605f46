"""Whole-table reads for exports and consistency checks: payments, entitlements, items, opens, ledger, outbox."""

from __future__ import annotations

import datetime as dt

from storage.db import Database

from tests.fixtures import People


async def test_items_entitlements_payments_and_opens_are_listed_oldest_first(
    db: Database, people: People, t0: dt.datetime
) -> None:
    async with db.transaction() as repos:
        assert await repos.content.list_all() == []
        first, second = [
            await repos.content.add(
                t0, community_id=people.group, creator_id=people.carol_admin, title=title, tags=["rust"], kind="text"
            )
            for title in ("First", "Second")
        ]
        await repos.content.update(second.id, t0, status="unpublished")
        paid = await repos.payments.add(
            t0, charge_id="c1", community_id=people.group, user_id=people.alice, kind="item", item_id=first.id,
            currency="XTR", amount=50,
        )
        assert paid is not None
        await repos.payments.add(t0, charge_id="c2", community_id=None, user_id=people.bob, kind="item",
                                 currency="XTR", amount=5)
        await repos.entitlements.grant(people.group, first.id, people.alice, "stars", t0, payment_id=paid.id)
        await repos.entitlements.grant(people.group, first.id, people.bob, "grant", t0)
        await repos.entitlements.revoke_for_payment(paid.id, t0)
        for item, user in ((first, people.alice), (first, people.bob), (second, people.alice)):
            await repos.content.add_open(people.group, item.id, user, t0)
    async with db.read() as repos:
        assert [(i.title, i.status) for i in await repos.content.list_all()] == [
            ("First", "published"),
            ("Second", "unpublished"),
        ]
        assert [(p.charge_id, p.community_id) for p in await repos.payments.list_all()] == [
            ("c1", people.group),
            ("c2", None),
        ]
        assert [(e.user_id, e.status) for e in await repos.entitlements.list_all()] == [
            (people.alice, "revoked"),
            (people.bob, "active"),
        ]
        assert await repos.content.count_opens() == 3
        assert await repos.content.count_opens(first.id) == 2
        assert await repos.content.count_opens(-1) == 0


async def test_ledger_rows_with_a_reason(db: Database, people: People, t0: dt.datetime) -> None:
    day = t0.date().toordinal()
    rows = [
        (people.alice, 5, "purchase", "p:1"),
        (people.bob, 1, "message", "m:1"),
        (people.bob, 3, "purchase", "p:2"),
    ]
    async with db.transaction() as repos:
        await repos.ledger.add_many(
            {"community_id": people.group, "user_id": user, "delta": delta, "scored": True, "reason": reason,
             "ref": None, "idem_key": key, "day": day, "created_at": t0}
            for user, delta, reason, key in rows
        )
    async with db.read() as repos:
        assert await repos.ledger.with_reason(people.group, "purchase") == [(people.alice, 5), (people.bob, 3)]
        assert await repos.ledger.with_reason(people.group, "refund") == []
        assert await repos.ledger.with_reason(-5, "purchase") == []


async def test_outbox_counts_pending_messages_due_or_not(db: Database, t0: dt.datetime) -> None:
    async with db.transaction() as repos:
        assert await repos.outbox.count_pending() == 0
        await repos.outbox.enqueue("now", 1, "prerendered", {}, t0)
        await repos.outbox.enqueue("later", 1, "prerendered", {}, t0, not_before=t0 + dt.timedelta(hours=1))
        await repos.outbox.enqueue("sent", 1, "prerendered", {}, t0)
        sent = await repos.outbox.get_by_key("sent")
        assert sent is not None
        await repos.outbox.mark_sent(sent.id, t0)
    async with db.read() as repos:
        assert await repos.outbox.count_pending() == 2
