"""The outbox: dedupe, due order, retries."""

from __future__ import annotations

import datetime as dt

from storage.db import Database


async def test_enqueue_dedupes(db: Database, t0: dt.datetime) -> None:
    async with db.transaction() as repos:
        assert await repos.outbox.enqueue("greet:-100", -100, "sendMessage", {"text": "hi"}, t0)
        assert not await repos.outbox.enqueue("greet:-100", -100, "sendMessage", {"text": "again"}, t0)
    async with db.read() as repos:
        due = await repos.outbox.due(t0, 10)
    assert [(m.dedupe_key, m.payload, m.attempts, m.status) for m in due] == [
        ("greet:-100", {"text": "hi"}, 0, "pending")
    ]


async def test_due_respects_not_before_and_order(db: Database, t0: dt.datetime) -> None:
    minute = dt.timedelta(minutes=1)
    async with db.transaction() as repos:
        await repos.outbox.enqueue("b", 1, "sendMessage", {}, t0 + minute)
        await repos.outbox.enqueue("a", 1, "sendMessage", {}, t0)
        await repos.outbox.enqueue("later", 1, "sendMessage", {}, t0, not_before=t0 + 10 * minute)
        await repos.outbox.enqueue("now", 1, "sendMessage", {}, t0 + 2 * minute, not_before=t0 + 2 * minute)
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
            await repos.outbox.enqueue(key, 1, "sendMessage", {}, t0)
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
