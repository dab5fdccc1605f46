"""The webhook endpoint: Telegram's POST is answered only once its update was handled.

Telegram's Bot API server (tdlib/telegram-bot-api, WebhookActor.cpp) keeps one queue per chat
(per chat and kind for callback queries, reactions, member changes...), sends a queue's next
update only after the previous one got a 2xx answer, and sends different queues in parallel
over up to max_connections connections. PTB's own webhook server answers 200 before handling;
answering after handling instead keeps each chat's updates in order even when several
workers share the webhook. Each update_id is claimed in the database first, so an update
delivered twice (to two workers, or again after a broken connection) is handled once:

- a new update, or one whose earlier worker died (its lease ran out): handled, then 200;
- one handled already: 200 without handling it again;
- one a live worker is handling: 503 with Retry-After, so Telegram asks again later.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hmac
import json
import logging
import os
import socket
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.app import ALLOWED_UPDATES
from bot.config import Settings
from bot.context import Services
from bot.services.updates import do_claim_update, do_finish_update, do_release_update, do_renew_claims

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Seconds Telegram is asked to wait before it redelivers an update another worker is handling.
BUSY_RETRY_AFTER = 2
# Seconds handlers still running at shutdown get to finish before they are cancelled.
SHUTDOWN_WAIT = 20.0


def worker_name() -> str:
    """Name this process in claims: host and process id."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


class WebhookServer:
    """Serve Telegram's webhook for one Application: secret check, claim, handle, answer."""

    def __init__(self, app: Application, settings: Settings) -> None:
        self._app = app
        self._settings = settings
        self._secret = settings.webhook.secret_token.get_secret_value().encode()
        self._lease = dt.timedelta(seconds=settings.webhook.claim_lease)
        self.worker = worker_name()
        self._inflight: set[int] = set()
        self._runner: web.AppRunner | None = None
        self._renewer: asyncio.Task[None] | None = None

    @property
    def _services(self) -> Services:
        return self._app.bot_data

    async def start(self) -> None:
        """Listen on webhook.listen:webhook.port, then register the webhook."""
        hook = self._settings.webhook
        web_app = web.Application()
        web_app.router.add_post("/" + hook.path.strip("/"), self._handle)
        self._runner = web.AppRunner(web_app, handle_signals=False, access_log=None, shutdown_timeout=SHUTDOWN_WAIT)
        await self._runner.setup()
        # Several workers share the port on PostgreSQL (the kernel spreads connections over them);
        # on SQLite a second process must fail to bind, as only one may run.
        shared = self._services.db.dialect_name == "postgresql"
        site = web.TCPSite(self._runner, hook.listen, hook.port, reuse_port=shared or None)
        await site.start()
        self._renewer = asyncio.get_running_loop().create_task(self._renew(), name="webhook-claims")
        await self._app.bot.set_webhook(
            url=hook.url,
            secret_token=hook.secret_token.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
            max_connections=hook.max_connections,
        )
        log.info("webhook worker %s listening", self.worker)

    async def stop(self) -> None:
        """Stop accepting; let the updates being handled finish (their answers go out), then stop renewing."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        if self._renewer is not None:
            self._renewer.cancel()
            await asyncio.gather(self._renewer, return_exceptions=True)
            self._renewer = None

    async def _handle(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), self._secret):
            return web.Response(status=403, text="wrong secret token")
        update = await self._parse(request)
        if update is None:
            return web.Response(status=400, text="not a Telegram update")
        db = self._services.db
        state = await do_claim_update(db, update.update_id, self.worker, self._lease)
        if state == "done":
            return web.Response(text="already handled")
        if state == "busy":
            return web.Response(status=503, text="being handled", headers={"Retry-After": str(BUSY_RETRY_AFTER)})
        if state == "retaken":
            log.info("update %s: its worker died, handling it again", update.update_id)
        self._inflight.add(update.update_id)
        try:
            await self._process(update)
        except asyncio.CancelledError:
            # Stopping before it was handled: Telegram redelivers it (to us later, or another worker).
            with contextlib.suppress(Exception):
                await asyncio.shield(do_release_update(db, update.update_id, self.worker))
            raise
        finally:
            self._inflight.discard(update.update_id)
        await do_finish_update(db, update.update_id, self.worker)
        return web.Response(text="ok")

    async def _parse(self, request: web.Request) -> Update | None:
        try:
            data: Any = await request.json()
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            return None
        try:
            return Update.de_json(data, self._app.bot)
        except (KeyError, TypeError, ValueError, AttributeError):
            log.warning("webhook body is not an update: %s", json.dumps(data)[:200])
            return None

    async def _process(self, update: Update) -> None:
        app = self._app
        # As PTB's own dispatch does, through the chat-ordered processor (the chat's lock, the
        # notices after the replies); then the points it queued, which the next update may read.
        await app.update_processor.process_update(update, app.process_update(update))
        points_writer = getattr(self._services, "points_writer", None)
        if points_writer is not None:
            await points_writer.caught_up()

    async def _renew(self) -> None:
        """Keep the claims of the updates being handled alive while they run (a third of the lease)."""
        while True:
            await asyncio.sleep(self._lease.total_seconds() / 3)
            if self._inflight:
                try:
                    await do_renew_claims(self._services.db, set(self._inflight), self.worker, self._lease)
                except Exception:  # the next round tries again; a lapsed claim only risks a repeat
                    log.exception("renewing update claims failed")
