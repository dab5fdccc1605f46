"""The outbox sender: woken on commit (never for a rollback), rows claimed so two senders send each once."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from bot.clock import FakeClock
from bot.config import Settings, load_settings
from bot.gateway.outbox import OutboxSender, notices_after
from bot.i18n import load_translator
from bot.services.notices import queue_notice
from bot.views.base import NoticeEnv, Rendered
from storage.db import Database
from tests.databases import DbUrls

GROUP = -1001


class Chats:
    """Records what each sender sent, per chat, like the simulator's transcripts would."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, int, str]] = []

    def sender(self, name: str, db: Database, clock: FakeClock, settings: Settings) -> OutboxSender:
        t = load_translator()

        async def send(chat_id: int, rendered: Rendered, paid: bool) -> None:
            self.sent.append((name, chat_id, rendered.text))

        return OutboxSender(db, clock, send, lambda lang: NoticeEnv(t, lang, "circle_bot", settings), name=name)


@pytest.fixture
async def db(db_urls: DbUrls) -> AsyncIterator[Database]:
    database = await Database.open(db_urls('bot.db'))
    now = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    async with database.transaction() as repos:
        await repos.communities.register(GROUP, "Circle", "supergroup", None, now)
    try:
        yield database
    finally:
        await database.close()


async def _queue(db: Database, clock: FakeClock, key: str, text: str) -> None:
    async with db.transaction() as repos:
        await queue_notice(repos, key, GROUP, "prerendered", clock.now(), text=text)


async def test_a_commit_wakes_the_sender_and_a_rollback_sends_nothing(db: Database) -> None:
    clock, chats = FakeClock(), Chats()
    sender = chats.sender("one", db, clock, load_settings(None))
    db.on_outbox_commit(sender.queued)
    with pytest.raises(RuntimeError):
        async with db.transaction() as repos:
            await queue_notice(repos, "rolled-back", GROUP, "prerendered", clock.now(), text="never")
            raise RuntimeError("the change failed after queueing its notice")
    await sender.idle()
    assert chats.sent == []
    async with db.read() as repos:
        assert await repos.outbox.get_by_key("rolled-back") is None
    await _queue(db, clock, "committed", "hello")
    await sender.idle()
    assert chats.sent == [("one", GROUP, "hello")]
    await sender.close()


async def test_notices_of_an_update_go_out_when_its_handler_ends(db: Database) -> None:
    clock, chats = FakeClock(), Chats()
    sender = chats.sender("one", db, clock, load_settings(None))
    db.on_outbox_commit(sender.queued)
    async with notices_after():
        await _queue(db, clock, "during", "badge")
        await sender.idle()  # no pass was started: the notice is held while the handler runs
        assert chats.sent == []
    assert chats.sent == [("one", GROUP, "badge")]
    await sender.close()


async def test_two_senders_at_once_send_each_row_once(db: Database) -> None:
    clock, chats = FakeClock(), Chats()
    settings = load_settings(None)
    for i in range(150):
        await _queue(db, clock, f"n{i}", f"notice {i}")
    one, two = chats.sender("one", db, clock, settings), chats.sender("two", db, clock, settings)
    # Small batches so that the two passes interleave claim after claim.
    async def run(sender: OutboxSender) -> None:
        claimed = True
        while claimed:
            claimed = await sender.drain(limit=7)

    await asyncio.gather(run(one), run(two), run(one), run(two))
    counts = Counter(text for _, _, text in chats.sent)
    assert len(counts) == 150 and set(counts.values()) == {1}
    assert {name for name, _, _ in chats.sent} == {"one", "two"}  # both took part
    async with db.read() as repos:
        assert await repos.outbox.due(clock.now() + dt.timedelta(hours=1), 10) == []
