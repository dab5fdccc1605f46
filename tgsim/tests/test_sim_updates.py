"""getUpdates semantics, allowed_updates, webhook delivery and duplicate updates."""

from __future__ import annotations

import asyncio
import time

import pytest
import telegram
from aiohttp import web
from telegram.error import Conflict

from tgsim import Simulator


async def test_get_updates_offset_and_limit(sim: Simulator, tg: telegram.Bot, alice) -> None:
    for i in range(5):
        await alice.send(None, f"hello {i}")
    first = await tg.get_updates(limit=2)
    assert [u.message.text for u in first] == ["hello 0", "hello 1"]
    again = await tg.get_updates(limit=2)
    assert [u.update_id for u in again] == [u.update_id for u in first]
    rest = await tg.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest] == ["hello 2", "hello 3", "hello 4"]
    assert rest[0].update_id == first[-1].update_id + 1
    assert await tg.get_updates(offset=rest[-1].update_id + 1, timeout=0) == ()


async def test_negative_offset_keeps_last_updates(sim: Simulator, tg: telegram.Bot, alice) -> None:
    for i in range(4):
        await alice.send(None, f"m{i}")
    last = await tg.get_updates(offset=-1)
    assert [u.message.text for u in last] == ["m3"]
    assert [u.message.text for u in await tg.get_updates()] == ["m3"]


async def test_long_poll_returns_when_update_arrives(sim: Simulator, tg: telegram.Bot, alice) -> None:
    async def later() -> None:
        await asyncio.sleep(0.2)
        await alice.send(None, "wake up")

    task = asyncio.create_task(later())
    started = time.monotonic()
    updates = await tg.get_updates(timeout=5)
    assert time.monotonic() - started < 2
    assert updates[0].message.text == "wake up"
    await task
    started = time.monotonic()
    assert await tg.get_updates(offset=updates[0].update_id + 1, timeout=1) == ()
    assert time.monotonic() - started >= 0.9


async def test_allowed_updates_are_remembered(sim: Simulator, tg: telegram.Bot, drain, alice, carol) -> None:
    group = sim.group("Circle", owner=carol)
    await group.add_bot(by=carol)
    await alice.join(group)  # chat_member is not delivered by default
    kinds = [u.to_dict().keys() - {"update_id"} for u in await drain()]
    assert {"chat_member"} not in kinds and {"my_chat_member"} in kinds
    await drain(allowed=["message", "chat_member", "message_reaction"])
    await alice.leave(group)
    await drain()  # no allowed_updates passed: the previous list still applies
    await alice.join(group)
    updates = await drain()
    assert [u.chat_member.new_chat_member.status for u in updates if u.chat_member] == ["member"]
    await tg.get_updates(allowed_updates=[], timeout=0)  # empty list restores the default
    await alice.leave(group)
    assert not [u for u in await drain() if u.chat_member]


async def test_duplicate_update_and_created_at(sim: Simulator, tg: telegram.Bot, alice) -> None:
    await alice.send(None, "pay me once")
    [update] = await tg.get_updates()
    assert sim.update_created_at(update.update_id) <= time.perf_counter()
    ids = sim.duplicate_update(update.update_id, times=2)
    dupes = await tg.get_updates(offset=update.update_id + 1)
    assert [u.update_id for u in dupes] == ids
    assert all(u.message.to_dict() == update.message.to_dict() for u in dupes)


async def test_webhook_delivery_with_secret_and_retry(sim: Simulator, tg: telegram.Bot, alice) -> None:
    received: list[dict] = []
    secrets_seen: list[str | None] = []
    failures = {"left": 2}

    async def hook(request: web.Request) -> web.Response:
        if failures["left"]:
            failures["left"] -= 1
            return web.Response(status=500)
        secrets_seen.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        received.append(await request.json())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        assert await tg.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret_-")
        info = await tg.get_webhook_info()
        assert info.url.endswith("/hook") and info.pending_update_count == 0
        with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
            await tg.get_updates()
        await alice.send(None, "one")
        await alice.send(None, "two")
        await sim.wait_for(lambda: len(received) == 2, timeout=5)
        assert [r["message"]["text"] for r in received] == ["one", "two"]
        assert secrets_seen == ["s3cret_-", "s3cret_-"]
        info = await tg.get_webhook_info()
        assert info.last_error_message and info.pending_update_count == 0
        assert await tg.delete_webhook()
        await alice.send(None, "three")
        assert [u.message.text for u in await tg.get_updates()] == ["three"]
    finally:
        await runner.cleanup()


async def test_webhook_rejects_bad_secret(sim: Simulator, tg: telegram.Bot) -> None:
    with pytest.raises(telegram.error.BadRequest, match="(?i)secret token contains unallowed characters"):
        await tg.set_webhook("http://127.0.0.1:9/hook", secret_token="bad secret!")
