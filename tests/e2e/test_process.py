"""The real `circlebot run` process: polling, webhook, SIGKILL and restart."""

from __future__ import annotations

import asyncio
import signal
import socket

import httpx

from bot.runner import BotRunner
from bot.services.notices import queue_notice
from storage.db import Database
from tests.fixtures import make_settings, outbox_settled, start_bot_process

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_sigkill_and_restart_lose_nothing_and_repeat_nothing(sim, db_urls, carol, alice) -> None:
    db_url = db_urls('bot.db')
    process = await start_bot_process(sim, db_url)
    try:
        await alice.start()
        assert "Welcome" in (await alice.expect(timeout=30)).text
        group = sim.group("Kill Circle", owner=carol, supergroup=True)
        await group.add_bot(by=carol, admin=True)
        await carol.expect(group, contains="Hello", timeout=30)
        # Kill once the greeting is recorded as sent: a kill between Telegram accepting a
        # message and that mark is the one window where a message can go out twice.
        await sim.wait_until(lambda: outbox_settled(db_url), timeout=30)
        process.send_signal(signal.SIGKILL)
        await process.wait()

        process = await start_bot_process(sim, db_url)
        # Telegram redelivers what was not confirmed; model that by replaying the addition.
        for update_id, entry in list(sim.updates.all.items()):
            if entry.kind == "my_chat_member":
                sim.duplicate_update(update_id)
        await carol.send(group, "/settings")
        settings_reply = await carol.expect(group, contains="Settings of", timeout=30)
        assert "Kill Circle" in settings_reply.text
        greetings = [m for m in sim.bot_messages(group) if "Hello" in (m.text or "")]
        assert len(greetings) == 1
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)


async def test_unsent_outbox_message_goes_out_once_after_restart(sim, db_urls, clock, alice) -> None:
    await alice.start()  # no bot yet: the private chat exists, nobody answers
    settings = make_settings(sim, db_urls("bot.db"))
    db = await Database.open(settings.storage.url)
    async with db.transaction() as repos:
        # As if the process died right after committing a change that must be announced.
        await queue_notice(repos, "test:announce", alice.id, "prerendered", clock.now(), text="Committed before the crash")
    await db.close()
    for _ in range(2):
        bot = BotRunner(settings, sim.token, clock=clock)
        await bot.start()
        await bot.stop()
    sent = [m for m in sim.bot_messages(None, user=alice) if m.text == "Committed before the crash"]
    assert len(sent) == 1


async def test_webhook_mode_with_secret(sim, db_urls, clock, alice) -> None:
    port = _free_port()
    settings = make_settings(
        sim,
        db_urls("bot.db"),
        telegram={"mode": "webhook"},
        webhook={
            "url": f"http://127.0.0.1:{port}/telegram",
            "listen": "127.0.0.1",
            "port": port,
            "secret_token": "s3cret-token",
        },
    )
    bot = BotRunner(settings, sim.token, clock=clock)
    await bot.start()
    try:
        await alice.start()
        assert "Welcome" in (await alice.expect(timeout=30)).text
        update = {"update_id": 999999, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}
        async with httpx.AsyncClient() as client:
            wrong = await client.post(
                f"http://127.0.0.1:{port}/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
            )
            missing = await client.post(f"http://127.0.0.1:{port}/telegram", json=update)
        assert wrong.status_code == 403
        assert missing.status_code == 403
    finally:
        await bot.stop()
