"""Run the bot inside an existing event loop (demo, tests, benchmarks)."""

from __future__ import annotations

import asyncio
import time

from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, build_application, webhook_options
from bot.clock import Clock
from bot.config import Settings


class BotRunner:
    """Start and stop a polling Application and tell when an update has been handled."""

    def __init__(self, settings: Settings, token: str, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self._token = token
        self._clock = clock
        self.app: Application | None = None
        self.done: dict[int, float] = {}
        self._changed = asyncio.Condition()

    def _on_done(self, update_id: int, finished_at: float) -> None:
        self.done[update_id] = finished_at
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def start(self) -> Application:
        """Build the app, open storage and start polling."""
        app = build_application(self.settings, self._token, clock=self._clock, on_update_done=self._on_done)
        await app.initialize()
        if app.post_init:
            await app.post_init(app)
        if self.settings.telegram.mode == "webhook":
            await app.updater.start_webhook(**webhook_options(self.settings))
        else:
            await app.updater.start_polling(
                poll_interval=0, timeout=self.settings.telegram.poll_timeout, allowed_updates=ALLOWED_UPDATES
            )
        await app.start()
        self.app = app
        return app

    async def stop(self) -> None:
        """Stop polling, finish running handlers and close storage."""
        app, self.app = self.app, None
        if app is None:
            return
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
        if app.post_shutdown:
            await app.post_shutdown(app)
        await app.shutdown()

    async def wait_processed(self, update_id: int, timeout: float = 5.0) -> None:
        """Wait until the update with this id (and every earlier one) was handled."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not all(u in self.done for u in range(self._first_id(update_id), update_id + 1)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"update {update_id} was not handled within {timeout}s")
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    continue

    def _first_id(self, update_id: int) -> int:
        return min(self.done, default=update_id) if self.done else update_id
