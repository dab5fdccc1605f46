"""Update processing: different chats concurrently, one chat strictly in order."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.gateway.outbox import notices_after

DoneHook = Callable[[int, float], None]
BACKLOG_FACTOR = 64


def ordering_key(update: object) -> int | None:
    """Return the id whose updates must run in order (chat, else user)."""
    if not isinstance(update, Update):
        return None
    if update.pre_checkout_query is not None:
        # Read-only and due within Telegram's 10 s: never queue it behind the payer's chat.
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Run updates of one chat one after another and of different chats in parallel."""

    def __init__(self, max_concurrent_updates: int, on_done: DoneHook | None = None) -> None:
        # PTB's own semaphore is taken before our per-chat lock, so a busy chat could fill it
        # with updates that only wait; keep it loose and limit what actually runs below.
        super().__init__(max_concurrent_updates * BACKLOG_FACTOR)
        self._running = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self.on_done = on_done

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        try:
            if key is None:
                async with self._running, notices_after():
                    await coroutine
                return
            lock = self._locks.get(key)
            if lock is None:
                lock = self._locks[key] = asyncio.Lock()
            self._waiting[key] = self._waiting.get(key, 0) + 1
            try:
                # Notices the update queued go out after its replies, before the chat's next update.
                async with lock, self._running, notices_after():
                    await coroutine
            finally:
                self._waiting[key] -= 1
                if not self._waiting[key]:
                    del self._waiting[key]
                    del self._locks[key]
        finally:
            if self.on_done is not None and isinstance(update, Update):
                self.on_done(update.update_id, time.perf_counter())

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
