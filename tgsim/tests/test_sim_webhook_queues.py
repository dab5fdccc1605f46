"""Webhook delivery as Telegram's Bot API server does it: per-chat queues, in parallel up to max_connections."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import telegram
from aiohttp import web

from tgsim import Simulator


@dataclass
class Hook:
    """A webhook that takes a while per update and records what it saw."""

    delay: float = 0.15
    fail_first: dict[str, int] = field(default_factory=dict)  # text -> how many posts of it fail
    received: list[str] = field(default_factory=list)
    active: dict[int, int] = field(default_factory=dict)
    most_per_chat: int = 0
    most_overall: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        message = (await request.json())["message"]
        chat, text = message["chat"]["id"], message["text"]
        if self.fail_first.get(text):
            self.fail_first[text] -= 1
            return web.Response(status=500)
        self.active[chat] = self.active.get(chat, 0) + 1
        self.most_per_chat = max(self.most_per_chat, self.active[chat])
        self.most_overall = max(self.most_overall, sum(self.active.values()))
        await asyncio.sleep(self.delay)
        self.active[chat] -= 1
        self.received.append(text)
        return web.Response(text="ok")


@pytest.fixture
async def hook_url() -> AsyncIterator[tuple[Hook, str]]:
    hook = Hook()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield hook, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/hook"
    finally:
        await runner.cleanup()


async def _send_both(alice, bob) -> None:
    for i in range(3):
        await alice.send(None, f"a{i}")
        await bob.send(None, f"b{i}")


async def test_one_chat_at_a_time_chats_in_parallel(sim: Simulator, tg: telegram.Bot, alice, bob, hook_url) -> None:
    hook, url = hook_url
    await tg.set_webhook(url, max_connections=40)
    await _send_both(alice, bob)
    await sim.wait_for(lambda: len(hook.received) == 6, timeout=10)
    assert hook.most_per_chat == 1  # a chat's next update only after the previous one was answered
    assert hook.most_overall == 2  # the two chats at once
    assert [t for t in hook.received if t[0] == "a"] == ["a0", "a1", "a2"]
    assert [t for t in hook.received if t[0] == "b"] == ["b0", "b1", "b2"]


async def test_one_connection_serves_one_update_at_a_time(sim: Simulator, tg: telegram.Bot, alice, bob,
                                                          hook_url) -> None:
    hook, url = hook_url
    await tg.set_webhook(url, max_connections=1)
    await _send_both(alice, bob)
    await sim.wait_for(lambda: len(hook.received) == 6, timeout=10)
    assert hook.most_overall == 1
    assert hook.received == ["a0", "b0", "a1", "b1", "a2", "b2"]


async def test_a_failing_update_holds_its_chat_only(sim: Simulator, tg: telegram.Bot, alice, bob, hook_url) -> None:
    hook, url = hook_url
    hook.delay = 0.05
    hook.fail_first = {"a0": 4}  # retried at once, then after growing delays
    await tg.set_webhook(url)
    await _send_both(alice, bob)
    await sim.wait_for(lambda: len(hook.received) == 6, timeout=10)
    assert [t for t in hook.received if t[0] == "a"] == ["a0", "a1", "a2"]  # nothing overtook the failing one
    assert hook.received.index("b2") < hook.received.index("a0")  # the other chat went on meanwhile
    assert sim.updates.webhook.failures == 4
    assert (await tg.get_webhook_info()).pending_update_count == 0
