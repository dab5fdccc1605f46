"""The outbox sender: claims due notices in the database, renders them, sends them, settles them.

Woken after every commit that queued a notice (and by a periodic job for retries), it runs
one pass at a time per process. Notices queued while an update is handled are sent right
after its handler, still in that chat's turn (`notices_after`), so they follow the
update's replies and come before the chat's next update. A row is claimed in the database before it is sent, so
several senders (tasks or processes) never send the same row twice; a claim lapses after
LEASE, so a row whose sender died is sent by someone else (at least once, never lost).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.clock import Clock
from bot.gateway.errors import retry_delay
from bot.services.notices import notice_language
from bot.views.base import NoticeEnv, Rendered
from bot.views.notices import UnknownNotice, render_notice
from storage.db import Database
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

# Sends one rendered notice to a chat.
Send = Callable[[int, Rendered], Awaitable[object]]
# Builds the rendering environment for a language.
EnvFor = Callable[[str], NoticeEnv]

MAX_ATTEMPTS = 8
LEASE = dt.timedelta(seconds=60)
BATCH = 100
# At shutdown the running pass gets this long to finish its current send (flood control may hold it).
CLOSE_WAIT = 2.0


@dataclass
class _Held:
    open: bool = True
    queued: dict[OutboxSender, list[int]] = field(default_factory=dict)


_held: ContextVar[_Held | None] = ContextVar("outbox_held", default=None)


@asynccontextmanager
async def notices_after() -> AsyncIterator[None]:
    """Send the notices committed inside this block when it ends (instead of in the background)."""
    held = _Held()
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
        held.open = False  # tasks started inside the block keep a reference; they wake the sender instead
        for sender, ids in held.queued.items():
            await sender.send_now(ids)


class OutboxSender:
    """Sends due outbox notices; one pass at a time in this process, rows claimed in the database."""

    def __init__(self, db: Database, clock: Clock, send: Send, env_for: EnvFor, *, name: str | None = None) -> None:
        self._db = db
        self._clock = clock
        self._send = send
        self._env_for = env_for
        self.name = name or f"{os.getpid()}-{secrets.token_hex(4)}"
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._closed = False  # no new passes
        self._cut = False  # the running pass stops before its next send

    def queued(self, ids: list[int]) -> None:
        """Take notice of committed outbox rows: send them after the current update, or soon."""
        held = _held.get()
        if held is not None and held.open and not self._closed:
            held.queued.setdefault(self, []).extend(ids)
            return
        self.wake()

    async def send_now(self, ids: list[int]) -> None:
        """Send these notices now if still due; whatever fails stays for the background pass."""
        try:
            await self.drain(len(ids), ids)
        except Exception:  # the rows stay due; the reply to the update is out already
            log.exception("sending notices %s failed", ids)
            self.wake()

    def wake(self) -> None:
        """Start a pass soon (or another one after the running pass); safe to call often."""
        if self._closed:
            return
        self._again = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="outbox-sender")

    async def _run(self) -> None:
        while self._again and not self._cut:
            self._again = False
            try:
                while await self.drain() == BATCH:
                    pass
            except Exception:  # a failed pass must not stop later wake-ups; rows stay due
                log.exception("outbox pass failed")

    async def idle(self) -> None:
        """Wait until no pass is running or wanted (tests, benchmarks)."""
        while self._task is not None and not self._task.done():
            await asyncio.gather(self._task, return_exceptions=True)

    async def close(self) -> None:
        """Take no more wake-ups, let the running pass finish (briefly); unsent rows wait for the next start."""
        self._closed = True
        task = self._task
        if task is None or task.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), CLOSE_WAIT)
        except TimeoutError:
            # Flood control can hold a send for minutes: stop before the next send, and cut
            # the one in flight (its claim lapses; the row is sent later, perhaps twice).
            self._cut = True
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def drain(self, limit: int = BATCH, ids: list[int] | None = None) -> int:
        """Claim and send up to limit due notices (only these ids, when given); return how many were claimed."""
        now = self._clock.now()
        async with self._db.transaction() as repos:
            claimed = await repos.outbox.claim(self.name, now, now + LEASE, limit, ids)
        if not claimed:
            return 0
        async with self._db.read() as repos:
            languages = [await notice_language(repos, message) for message in claimed]
        for index, (message, lang) in enumerate(zip(claimed, languages, strict=True)):
            if self._cut:
                await self._release(claimed[index:])
                break
            await self._deliver(message, lang)
        return len(claimed)

    async def _release(self, messages: list[OutboxMessage]) -> None:
        async with self._db.transaction() as repos:
            for message in messages:
                await repos.outbox.release(message.id, self.name, self._clock.now())

    async def _deliver(self, message: OutboxMessage, lang: str) -> None:
        now = self._clock.now()
        try:
            rendered = render_notice(self._env_for(lang), message.kind, message.params)
            await self._send(message.chat_id, rendered)
        except RetryAfter as exc:
            await self._settle(message, str(exc), now + retry_delay(exc))
            return
        except (Forbidden, BadRequest) as exc:
            # The chat is gone, the user blocked the bot or the message is invalid: retrying won't help.
            log.warning("outbox notice %s (%s) to chat %s dropped: %s", message.id, message.kind, message.chat_id, exc)
            await self._settle(message, str(exc), None)
            return
        except TelegramError as exc:
            backoff = dt.timedelta(seconds=2 ** (message.attempts + 1))
            retry = None if message.attempts + 1 >= MAX_ATTEMPTS else now + backoff
            await self._settle(message, str(exc), retry)
            return
        except (UnknownNotice, KeyError, TypeError, ValueError) as exc:
            log.error("outbox notice %s of kind %s cannot be rendered: %r", message.id, message.kind, exc)
            await self._settle(message, f"cannot render: {exc!r}", None)
            return
        async with self._db.transaction() as repos:
            await repos.outbox.mark_sent(message.id, self._clock.now(), self.name)

    async def _settle(self, message: OutboxMessage, error: str, retry_at: dt.datetime | None) -> None:
        async with self._db.transaction() as repos:
            await repos.outbox.mark_failed(message.id, error, self._clock.now(), retry_at, self.name)
