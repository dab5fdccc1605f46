"""The outbox: dedupe, due order, claims, retries."""

from __future__ import annotations

import datetime as dt

from storage.db import Database

NOTICE = "prerendered"


async def test_enqueue_dedupes(db: Database, t0: dt.datetime) -> None:
    async with db.transaction() as repos:
        assert await repos.outbox.enqueue("greet:-100", -100, NOTICE, {"text": "hi"}, t0)
        assert not await repos.outbox.enqueue("greet:-100", -100, NOTICE, {"text": "again"}, t0)
    async with db.read() as repos:
        due = await repos.outbox.due(t0, 10)
    assert [(m.dedupe_key, m.kind, m.params, m.attempts, m.status) for m in due] == [
        ("greet:-100", NOTICE, {"text": "hi"}, 0, "pending")
    ]


async def test_due_respects_not_before_and_order(db: Database, t0: dt.datetime) -> None:
    minute = dt.timedelta(minutes=1)
    async with db.transaction() as repos:
        await repos.outbox.enqueue("b", 1, NOTICE, {}, t0 + minute)
        await repos.outbox.enqueue("a", 1, NOTICE, {}, t0)
        await repos.outbox.enqueue("later", 1, NOTICE, {}, t0, not_before=t0 + 10 * minute)
        await repos.outbox.enqueue("now", 1, NOTICE, {}, t0 + 2 * minute, not_before=t0 + 2 * minute)
    async with db.read() as repos:
        assert [m.dedupe_key for m in await repos.outbox.due(t0 + 2 * minute, 10)] == ["a", "b", "now"]
        assert [m.dedupe_key for m in await repos.outbox.due(t0 + 2 * minute, 2)] == ["a", "b"]
        # not_before only gates; order stays by creation time.
        due = await repos.outbox.due(t0 + 10 * minute, 10)
        assert [m.dedupe_key for m in due] == ["a", "later", "b", "now"]


async def test_mark_sent_and_failed(db: Database, t0: dt.datetime) -> None:
    retry = t0 + dt.timedelta(seconds=30)
    async with db.transaction() as repos:
        for key in ("ok", "retry", "dead"):
            await repos.outbox.enqueue(key, 1, NOTICE, {}, t0)
        ok, retried, dead = [await repos.outbox.get_by_key(k) for k in ("ok", "retry", "dead")]
        assert ok and retried and dead
        await repos.outbox.mark_sent(ok.id, t0)
        await repos.outbox.mark_failed(retried.id, "429 Too Many Requests", t0, retry)
        await repos.outbox.mark_failed(dead.id, "x" * 5000, t0, None)
        await repos.outbox.mark_failed(dead.id, "403 Forbidden", t0, None)
        assert await repos.outbox.due(t0, 10) == []
        assert [m.dedupe_key for m in await repos.outbox.due(retry, 10)] == ["retry"]
        ok, retried, dead = [await repos.outbox.get(m.id) for m in (ok, retried, dead)]
    assert ok and ok.status == "sent" and ok.sent_at == t0
    assert retried and (retried.status, retried.attempts, retried.not_before) == ("pending", 1, retry)
    assert dead and (dead.status, dead.attempts, dead.last_error) == ("failed", 2, "403 Forbidden")


async def test_a_claimed_row_is_not_claimed_again_until_its_claim_lapses(db: Database, t0: dt.datetime) -> None:
    lease = dt.timedelta(seconds=60)
    async with db.transaction() as repos:
        for key in ("a", "b", "c"):
            await repos.outbox.enqueue(key, 1, NOTICE, {}, t0)
        first = await repos.outbox.claim("one", t0, t0 + lease, 2)
        second = await repos.outbox.claim("two", t0, t0 + lease, 10)
        assert [m.dedupe_key for m in first] == ["a", "b"] and [m.dedupe_key for m in second] == ["c"]
        assert await repos.outbox.claim("two", t0, t0 + lease, 10) == []
        # Only the claimant settles its row.
        assert not await repos.outbox.mark_sent(first[0].id, t0, "two")
        assert await repos.outbox.mark_sent(first[0].id, t0, "one")
        # The senders died holding b and c: once the claims lapse someone else may send them.
        later = t0 + lease + dt.timedelta(seconds=1)
        again = await repos.outbox.claim("three", later, later + lease, 10)
        assert [m.dedupe_key for m in again] == ["b", "c"]


async def test_heads_are_each_chats_oldest_live_notice_and_skipped_chats_are_reported(
    db: Database, t0: dt.datetime
) -> None:
    lease = dt.timedelta(seconds=60)
    async with db.transaction() as repos:
        for key, chat in (("a1", 1), ("a2", 1), ("b1", 2), ("c1", 3), ("c2", 3)):
            await repos.outbox.enqueue(key, chat, NOTICE, {}, t0)
        await repos.outbox.enqueue("later", 4, NOTICE, {}, t0, not_before=t0 + lease)  # not due: blocks nothing
        claimed, waiting = await repos.outbox.claim_heads("one", t0, t0 + lease, 10, frozenset({3}))
        assert [m.dedupe_key for m in claimed] == ["a1", "b1"] and waiting == {3}
        # a1 is out with a sender: chat 1's next notice waits for it, even for another sender.
        claimed, waiting = await repos.outbox.claim_heads("two", t0, t0 + lease, 10)
        assert [m.dedupe_key for m in claimed] == ["c1"] and waiting == set()
        assert await repos.outbox.mark_sent(claimed[0].id, t0, "two")
        assert await repos.outbox.release((await repos.outbox.get_by_key("a1")).id, "one", t0, "429")
        claimed, _ = await repos.outbox.claim_heads("two", t0, t0 + lease, 1)
        assert [m.dedupe_key for m in claimed] == ["a1"]  # given back, still first in its chat
        a1 = await repos.outbox.get_by_key("a1")
        assert a1 is not None and (a1.attempts, a1.last_error) == (0, "429")  # a release is no attempt
        claimed, _ = await repos.outbox.claim_heads("two", t0, t0 + lease, 10)
        assert [m.dedupe_key for m in claimed] == ["c2"]


async def test_a_skipped_notice_is_settled_with_its_reason(db: Database, t0: dt.datetime) -> None:
    lease = dt.timedelta(seconds=60)
    async with db.transaction() as repos:
        await repos.outbox.enqueue("k", 7, NOTICE, {}, t0)
        [row] = await repos.outbox.claim("one", t0, t0 + lease, 1)
        assert await repos.outbox.mark_skipped(row.id, "skipped: the member blocked the bot", "one")
        skipped = await repos.outbox.get(row.id)
        assert skipped is not None and (skipped.status, skipped.attempts) == ("skipped", 0)
        assert await repos.outbox.count_pending() == 0 and await repos.outbox.due(t0 + lease * 2, 10) == []
