"""The outbox sender: claims due notices in the database, renders them, sends them, settles them.

Woken after every commit that queued a notice (and by a periodic job for retries), it runs
one background pass at a time per process, paced at Telegram's limits (bot/gateway/pacing.py
says how, and why PTB's AIORateLimiter alone is not enough): the overall rate, each chat's
notices one at a time in the order queued, a chat that is not ready skipped rather than
waited on, up to `concurrency` sends in flight. Notices queued while an update is handled
are sent right after its handler, still in that chat's turn (`notices_after`), so they
follow the update's replies and come before the chat's next update; like replies they never
wait behind a background batch. A row is claimed in the database before it is sent, so
several senders (tasks or processes) never send the same row twice; a claim lapses after
its lease, so a row whose sender died is sent by someone else (at least once, never lost;
a kill repeats at most the sends that were in flight).

Telegram's answers: RetryAfter pauses the whole sender for the time asked and the notice
goes back unsent (not an attempt); Forbidden in a private chat marks the member unreachable
(users.blocked_at) and their later private notices are skipped until they write to the bot
again; Forbidden in a group and Bad Request (chat not found, ...) drop the notice; network
errors are retried with exponential backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
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
from bot.gateway.pacing import Pacer
from bot.services.notices import is_paid_broadcast, notice_language, unreachable_since
from bot.views.base import NoticeEnv, Rendered
from bot.views.notices import UnknownNotice, render_notice
from storage.db import Database
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

# Sends one rendered notice to a chat (as a paid broadcast when the flag is set); raises Telegram's errors.
Send = Callable[[int, Rendered, bool], Awaitable[object]]
# Builds the rendering environment for a language.
EnvFor = Callable[[str], NoticeEnv]

MAX_ATTEMPTS = 8
LEASE = dt.timedelta(seconds=60)
BATCH = 100
# Defaults for a sender built without settings (tests): Telegram's limits, a few sends in flight.
RATE, PAID_RATE, CONCURRENCY = 25.0, 1000.0, 8
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
    """Sends due outbox notices; one background pass at a time in this process, rows claimed in the database."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        send: Send,
        env_for: EnvFor,
        *,
        pacer: Pacer | None = None,
        concurrency: int = CONCURRENCY,
        lease: dt.timedelta = LEASE,
        name: str | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._send = send
        self._env_for = env_for
        self.pacer = pacer or Pacer(RATE, PAID_RATE)
        self._concurrency = concurrency
        self._lease = lease
        self.name = name or f"{os.getpid()}-{secrets.token_hex(4)}"
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._poke = asyncio.Event()
        self._resume_at = 0.0  # loop time until which Telegram asked us to wait
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
        """Send these notices now if still due; whatever fails stays for the background pass.

        They follow the reply to an update, so like that reply they go out at once: they take
        no slot of the background rate (a digest run never delays them) and only PTB's limiter
        paces them; the chats they reach then wait their turn for background notices.
        """
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
        self._poke.set()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="outbox-sender")

    async def _run(self) -> None:
        while self._again and not self._cut:
            self._again = False
            try:
                await self._pump()
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
        for cut in (False, True):
            # First the pass may finish; then it claims nothing more and only its sends in flight finish.
            self._cut = cut
            self._poke.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), CLOSE_WAIT)
                return
        # Flood control or the network can hold a send for long: cut the ones in flight
        # (their claims lapse; such a row is sent later, perhaps twice).
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    async def _pump(self) -> None:
        """Send every due notice at the pace Telegram allows; return when none is left."""
        inflight: set[asyncio.Task[None]] = set()
        try:
            while not self._cut:
                await self._wait_out_pause()
                claimed: list[tuple[OutboxMessage, str]] = []
                waiting: set[int] = set()
                got = 0
                free = self._concurrency - len(inflight)
                if free > 0:
                    got, claimed, waiting = await self._claim_next(free)
                for index, (message, lang) in enumerate(claimed):
                    await self.pacer.take(is_paid_broadcast(message))
                    if self._cut or self._paused():
                        await self._release([m for m, _ in claimed[index:]])
                        break
                    inflight.add(asyncio.create_task(self._deliver_logged(message, lang)))
                if got:
                    continue
                if not inflight and not waiting:
                    return
                delay = self.pacer.turns.wait_for(waiting) if waiting else None
                await self._wait(inflight, 0.0 if waiting and delay is None else delay)
                inflight = {task for task in inflight if not task.done()}
        except asyncio.CancelledError:
            for task in inflight:
                task.cancel()
            raise
        finally:
            if inflight:
                await asyncio.gather(*inflight, return_exceptions=True)

    async def _wait(self, inflight: set[asyncio.Task[None]], delay: float | None) -> None:
        """Wait for a send to finish, a chat's turn, or a wake-up, whichever comes first."""
        self._poke.clear()
        poke = asyncio.create_task(self._poke.wait())
        try:
            await asyncio.wait({*inflight, poke}, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
        finally:
            poke.cancel()

    def _paused(self) -> bool:
        return asyncio.get_running_loop().time() < self._resume_at

    async def _wait_out_pause(self) -> None:
        while self._paused() and not self._cut:
            await asyncio.sleep(self._resume_at - asyncio.get_running_loop().time())

    def _pause(self, seconds: float) -> None:
        self._resume_at = max(self._resume_at, asyncio.get_running_loop().time() + seconds)

    async def _claim_next(self, limit: int) -> tuple[int, list[tuple[OutboxMessage, str]], set[int]]:
        """Claim the next notice of up to limit chats whose turn it is.

        Returns how many were claimed, the ones to send with their language, and the chats
        that have a notice due but must wait their turn.
        """
        now = self._clock.now()
        async with self._db.transaction() as repos:
            claimed, waiting = await repos.outbox.claim_heads(
                self.name, now, now + self._lease, limit, self.pacer.turns.not_ready()
            )
        return len(claimed), await self._sendable(claimed), waiting

    async def drain(self, limit: int = BATCH, ids: list[int] | None = None) -> int:
        """Claim and send up to limit due notices at once (only these ids, when given); return how many were claimed.

        No pacing beyond PTB's limiter: this is the path of the notices that follow a reply.
        """
        if self._paused():
            self.wake()  # Telegram asked to wait: the background pass sends them after the pause
            return 0
        now = self._clock.now()
        async with self._db.transaction() as repos:
            claimed = await repos.outbox.claim(self.name, now, now + self._lease, limit, ids)
        if not claimed:
            return 0
        sendable = await self._sendable(claimed)
        for index, (message, lang) in enumerate(sendable):
            if self._cut:
                await self._release([m for m, _ in sendable[index:]])
                break
            await self._deliver(message, lang)
        return len(claimed)

    async def _sendable(self, claimed: list[OutboxMessage]) -> list[tuple[OutboxMessage, str]]:
        """Settle the notices for members who blocked the bot; return the rest with their language."""
        sendable, skipped = [], []
        async with self._db.read() as repos:
            for message in claimed:
                if await unreachable_since(repos, message) is not None:
                    skipped.append(message)
                else:
                    sendable.append((message, await notice_language(repos, message)))
        if skipped:
            async with self._db.transaction() as repos:
                for message in skipped:
                    await repos.outbox.mark_skipped(message.id, "skipped: the member blocked the bot", self.name)
        return sendable

    async def _release(self, messages: list[OutboxMessage], reason: str | None = None) -> None:
        async with self._db.transaction() as repos:
            for message in messages:
                await repos.outbox.release(message.id, self.name, self._clock.now(), reason)

    async def _deliver_logged(self, message: OutboxMessage, lang: str) -> None:
        try:
            await self._deliver(message, lang)
        except Exception:  # e.g. the database: the row stays claimed and is sent once its claim lapses
            log.exception("outbox notice %s failed", message.id)

    async def _deliver(self, message: OutboxMessage, lang: str) -> None:
        now = self._clock.now()
        try:
            rendered = render_notice(self._env_for(lang), message.kind, message.params)
            try:
                await self._send(message.chat_id, rendered, is_paid_broadcast(message))
            finally:
                self.pacer.turns.sent(message.chat_id)
        except RetryAfter as exc:
            delay = retry_delay(exc).total_seconds()
            log.warning("flood control: outbox paused for %.0f s (notice %s back in the queue)", delay, message.id)
            self._pause(delay)
            await self._release([message], str(exc))
            self.wake()  # the background pass sends it once the pause is over
            return
        except Forbidden as exc:
            await self._unreachable(message, exc)
            return
        except BadRequest as exc:
            # The chat is gone or the message is invalid: retrying won't help.
            log.warning("outbox notice %s (%s) to chat %s dropped: %s", message.id, message.kind, message.chat_id, exc)
            await self._settle(message, str(exc), None)
            return
        except TelegramError as exc:  # NetworkError, TimedOut, server errors: try again later
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

    async def _unreachable(self, message: OutboxMessage, exc: Forbidden) -> None:
        """Blocked, deactivated, kicked: drop the notice; a private recipient is skipped from now on."""
        log.info("outbox notice %s to chat %s refused: %s", message.id, message.chat_id, exc.message)
        async with self._db.transaction() as repos:
            if message.chat_id > 0:
                await repos.users.set_blocked(message.chat_id, True, self._clock.now())
                await repos.outbox.mark_skipped(message.id, f"unreachable: {exc.message}", self.name)
            else:
                await repos.outbox.mark_failed(message.id, str(exc), self._clock.now(), None, self.name)

    async def _settle(self, message: OutboxMessage, error: str, retry_at: dt.datetime | None) -> None:
        async with self._db.transaction() as repos:
            await repos.outbox.mark_failed(message.id, error, self._clock.now(), retry_at, self.name)
