"""Durable outgoing messages: written in the caller's transaction, sent after commit."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock
from storage.db import Database
from storage.models import OutboxMessage
from storage.repos import Repos

log = logging.getLogger(__name__)

Send = Callable[[str, dict[str, Any]], Awaitable[object]]
MAX_ATTEMPTS = 8


async def enqueue_message(
    repos: Repos, key: str, chat_id: int, text: str, now: dt.datetime, reply_markup: dict | None = None
) -> bool:
    """Queue an HTML message once per key, inside the caller's transaction."""
    payload: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": "HTML"}
    if reply_markup is not None:
        payload["reply_markup"] = reply_markup
    return await repos.outbox.enqueue(key, chat_id, "sendMessage", payload, now)


class OutboxSender:
    """Sends due outbox rows; a row is in flight in at most one task at a time."""

    def __init__(self, db: Database, clock: Clock, send: Send) -> None:
        self._db = db
        self._clock = clock
        self._send = send
        self._inflight: set[int] = set()

    async def drain(self, limit: int = 100) -> int:
        """Send every due message; return how many went out."""
        async with self._db.read() as repos:
            due = await repos.outbox.due(self._clock.now(), limit)
        sent = 0
        for message in due:
            sent += await self._deliver(message)
        return sent

    async def _deliver(self, message: OutboxMessage) -> bool:
        if message.id in self._inflight:
            return False
        self._inflight.add(message.id)
        try:
            error, retry_at = await self._attempt(message)
            async with self._db.transaction() as repos:
                if error is None:
                    await repos.outbox.mark_sent(message.id, self._clock.now())
                else:
                    await repos.outbox.mark_failed(message.id, error, self._clock.now(), retry_at)
            return error is None
        finally:
            self._inflight.discard(message.id)

    async def _attempt(self, message: OutboxMessage) -> tuple[str | None, dt.datetime | None]:
        now = self._clock.now()
        try:
            await self._send(message.method, dict(message.payload))
        except RetryAfter as exc:
            return str(exc), now + _seconds(exc.retry_after)
        except (Forbidden, BadRequest) as exc:
            # The chat is gone, the user blocked us or the message is invalid: retrying won't help.
            log.warning("outbox message %s to chat %s dropped: %s", message.id, message.chat_id, exc)
            return str(exc), None
        except (NetworkError, TelegramError) as exc:
            if message.attempts + 1 >= MAX_ATTEMPTS:
                return str(exc), None
            return str(exc), now + dt.timedelta(seconds=2 ** (message.attempts + 1))
        return None, None


def _seconds(value: int | dt.timedelta) -> dt.timedelta:
    return value if isinstance(value, dt.timedelta) else dt.timedelta(seconds=value)
