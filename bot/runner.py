"""Run the bot inside an existing event loop (demo, tests, benchmarks)."""

from __future__ import annotations

import asyncio
import time

from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, build_application
from bot.clock import Clock
from bot.config import Settings
from bot.webhook import WebhookServer


class BotRunner:
    """Start and stop an Application (polling, or our webhook endpoint) and tell when an update has been handled.

    In webhook mode it serves on webhook.listen and webhook.port (bot/webhook.py).
    """

    def __init__(
        self, settings: Settings, token: str, *, clock: Clock | None = None, track: bool = True
    ) -> None:
        self.settings = settings
        self._token = token
        self._clock = clock
        self._track = track  # remember which updates were handled (tests, demo); off for a long run
        self.app: Application | None = None
        self.webhook: WebhookServer | None = None
        self.done: dict[int, float] = {}
        self._changed = asyncio.Condition()
        # Every update from _first to _settled is done: waiting costs O(1) per update, even in a burst.
        self._first: int | None = None
        self._settled = 0
        self._notifying = False

    def _on_done(self, update_id: int, finished_at: float) -> None:
        self.done[update_id] = finished_at
        if self._first is None or update_id < self._first:
            self._first, self._settled = update_id, update_id - 1
        while self._settled + 1 in self.done:
            self._settled += 1
        if not self._notifying:  # one wake-up for however many updates finished meanwhile
            self._notifying = True
            asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        self._notifying = False
        async with self._changed:
            self._changed.notify_all()

    async def start(self) -> Application:
        """Build the app, open storage and start taking updates."""
        on_done = self._on_done if self._track else None
        app = build_application(self.settings, self._token, clock=self._clock, on_update_done=on_done)
        await app.initialize()
        if app.post_init:
            await app.post_init(app)
        if self.settings.telegram.mode != "webhook":
            await app.updater.start_polling(
                poll_interval=0, timeout=self.settings.telegram.poll_timeout, allowed_updates=ALLOWED_UPDATES
            )
        await app.start()
        self.app = app
        if self.settings.telegram.mode == "webhook":
            self.webhook = WebhookServer(app, self.settings)  # answers only once the application runs
            await self.webhook.start()
        return app

    async def stop(self) -> None:
        """Stop taking updates, finish running handlers and close storage."""
        app, self.app = self.app, None
        if app is None:
            return
        webhook, self.webhook = self.webhook, None
        if webhook is not None:
            await webhook.stop()  # the updates being handled finish and are answered first
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
            while not (self._first is not None and (update_id < self._first or self._settled >= update_id)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"update {update_id} was not handled within {timeout}s")
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    continue
