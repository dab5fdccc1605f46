"""Several workers: the scheduled jobs run in one of them, move when it dies; outbox rows are sent once."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
from collections import Counter
from pathlib import Path

from bot.clock import FakeClock
from bot.cli import main
from bot.config import load_settings
from bot.gateway.outbox import OutboxSender
from bot.gateway.pacing import Pacer
from bot.i18n import load_translator
from bot.services.notices import queue_notice
from bot.views.base import NoticeEnv, Rendered
from storage.db import Database
from tests.e2e.workers_helpers import free_port, leader_pid, start_worker, stop, wait_listening, wait_workers
from tests.fixtures import outbox_settled, stored
from tgsim import Simulator


def test_several_workers_need_webhook_mode_and_postgresql(monkeypatch, capsys, tmp_path: Path) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("CIRCLEBOT__STORAGE__URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    assert main(["run", "--workers", "2"]) == 2
    assert "telegram.mode: webhook" in capsys.readouterr().err
    monkeypatch.setenv("CIRCLEBOT__TELEGRAM__MODE", "webhook")
    monkeypatch.setenv("CIRCLEBOT__WEBHOOK__URL", "https://example.org/telegram")
    monkeypatch.setenv("CIRCLEBOT__WEBHOOK__SECRET_TOKEN", "s3cret")
    assert main(["run", "--workers", "2"]) == 2
    assert "SQLite database serves one process only" in capsys.readouterr().err
    assert main(["run", "--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err


async def test_killing_the_leader_moves_the_jobs_and_repeats_only_what_was_in_flight(
    sim: Simulator, postgres_urls, alice, tmp_path: Path
) -> None:
    url = postgres_urls("bot.db")
    port = free_port()
    env = {"CIRCLEBOT__BOT__OUTBOX_LEASE": "5", "CIRCLEBOT__BOT__OUTBOX_INTERVAL": "1"}
    logs = {name: tmp_path / f"{name}.log" for name in ("a", "b")}
    workers = [await start_worker(sim, url, port, log, **env) for log in logs.values()]  # one port, SO_REUSEPORT
    try:
        await wait_workers(url, 2)
        await wait_listening(port)
        await alice.start()
        assert "Welcome" in (await alice.expect(timeout=30)).text
        leader = await sim.wait_until(lambda: leader_pid(url), timeout=30)
        (dying,) = [w for w in workers if w.pid == leader]
        (survivor,) = [w for w in workers if w.pid != leader]
        # Queued by someone else (no worker is woken): only the leader's periodic outbox job sends
        # them, one a second (Telegram's pace in a private chat).
        db = await Database.open(url, migrate=False)
        async with db.transaction() as repos:
            for i in range(8):
                await queue_notice(repos, f"test:n{i}", alice.id, "prerendered", dt.datetime.now(dt.UTC), text=f"n{i}")
        await db.close()

        def notices() -> list[str]:
            return [m.text for m in sim.bot_messages(None, user=alice) if (m.text or "").startswith("n")]

        await sim.wait_for(lambda: len(notices()) >= 2, timeout=30)
        dying.send_signal(signal.SIGKILL)
        await dying.wait()
        async with stored(url) as repos:
            in_flight = sum(m.status == "sending" for m in await repos.outbox.list_for_chat(alice.id))
        killed_at = asyncio.get_running_loop().time()
        assert await sim.wait_until(lambda: leader_pid(url), timeout=60) == survivor.pid
        took_over = asyncio.get_running_loop().time() - killed_at
        await sim.wait_for(lambda: len(set(notices())) == 8, timeout=60)
        await sim.wait_until(lambda: outbox_settled(url), timeout=60)  # every send done, repeats included
        counts = Counter(notices())
        assert sum(counts.values()) - 8 <= in_flight, (counts, in_flight)  # repeats: only the sends in flight
        assert took_over < 15, took_over
        assert "took over the scheduled jobs" in logs["b" if survivor is workers[1] else "a"].read_text()
    finally:
        await stop(*workers)


async def test_two_outbox_senders_on_two_engines_never_send_one_row(postgres_urls) -> None:
    url = postgres_urls("bot.db")
    engines = [await Database.open(url), await Database.open(url, migrate=False)]
    clock, settings, t = FakeClock(), load_settings(None), load_translator()
    sent: list[tuple[str, int, str]] = []

    def sender(name: str, db: Database) -> OutboxSender:
        async def send(chat_id: int, rendered: Rendered, paid: bool) -> None:
            await asyncio.sleep(0.001)  # a round trip: the other sender claims meanwhile
            sent.append((name, chat_id, rendered.text))

        return OutboxSender(db, clock, send, lambda lang: NoticeEnv(t, lang, "circle_bot", settings), name=name,
                            pacer=Pacer(1000, 1000), concurrency=16)

    try:
        async with engines[0].transaction() as repos:
            for i in range(400):
                await queue_notice(repos, f"n{i}", -1000 - i % 80, "prerendered", clock.now(), text=f"n{i}")
        senders = [sender("one", engines[0]), sender("two", engines[1])]
        for s in senders:
            s.wake()  # background passes, each chat's notices one at a time
        drains = [s.drain(limit=9) for s in senders for _ in range(3)]  # and batches after replies
        await asyncio.gather(*drains)
        for _ in range(100):
            await asyncio.gather(*(s.idle() for s in senders))
            async with engines[1].read() as repos:
                if await repos.outbox.count_pending() == 0:
                    break
            for s in senders:
                s.wake()
        counts = Counter(text for _, _, text in sent)
        assert len(counts) == 400 and set(counts.values()) == {1}
        assert {name for name, _, _ in sent} == {"one", "two"}
        for s in senders:
            await s.close()
    finally:
        for db in engines:
            await db.close()
