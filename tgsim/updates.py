"""The bot's update queue: ids, allowed_updates, long polling and webhook delivery.

Webhook delivery follows Telegram's Bot API server (tdlib/telegram-bot-api, WebhookActor.cpp
and the webhook queue ids in Client.cpp): updates are grouped in queues (a chat's messages;
a user's button presses; a chat's reactions...); a queue's next update is posted only once the
previous one got a 2xx answer, different queues are posted in parallel over at most
max_connections connections, and only the next 2 × max_connections undelivered updates are
looked at. A failed post is retried: at once the first time, then after a delay that doubles
(capped), or after the answer's Retry-After; the queue waits meanwhile, the others go on.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tgsim.common import INTEGER
from tgsim.errors import ApiError, bad_request

log = logging.getLogger(__name__)

ALL_UPDATE_TYPES = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages", "message_reaction",
    "message_reaction_count", "inline_query", "chosen_inline_result", "callback_query",
    "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer",
    "my_chat_member", "chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
    "subscription",  # Bot API 10.2; whether it is delivered without asking is unconfirmed (assumed yes)
)
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Telegram keeps an undelivered update at most this long (seconds on the simulator's clock).
UPDATE_TTL = 24 * 3600


@dataclass
class UpdateEntry:
    """One update: id, type, JSON payload, creation time (perf_counter) and date (simulator clock)."""

    update_id: int
    kind: str
    payload: dict[str, Any]
    created_at: float
    date: int = 0
    fails: int = 0  # failed webhook posts so far
    retry_at: float = 0.0  # loop time before which it is not posted again

    def to_dict(self) -> dict[str, Any]:
        """Serialize as a Bot API Update."""
        return {"update_id": self.update_id, self.kind: self.payload}


# Telegram's queue kinds for updates about a user (Client.cpp adds kind << 33 to the user id).
_USER_QUEUES = {
    "inline_query": 1, "chosen_inline_result": 2, "callback_query": 3, "shipping_query": 4,
    "pre_checkout_query": 4, "chat_member": 6, "chat_join_request": 6, "business_connection": 10,
    "purchased_paid_media": 12,
    "subscription": 14,  # not in the server's source we read; assumed per user like payments
}
# ... and for updates about a chat.
_CHAT_QUEUES = {
    "message": 0, "edited_message": 0, "channel_post": 0, "edited_channel_post": 0, "my_chat_member": 5,
    "chat_boost": 7, "removed_chat_boost": 7, "message_reaction": 8, "message_reaction_count": 9,
    "business_message": 11, "edited_business_message": 11, "deleted_business_messages": 11,
}


def webhook_queue(entry: UpdateEntry) -> Hashable:
    """Return the queue an update is delivered in: one update of a queue at a time, in order."""
    payload = entry.payload
    if entry.kind in _CHAT_QUEUES:
        chat = payload.get("chat") or (payload.get("message") or {}).get("chat") or {}
        return (_CHAT_QUEUES[entry.kind], chat.get("id"))
    if entry.kind in _USER_QUEUES:
        user = payload.get("from") or payload.get("user") or {}
        if entry.kind == "chat_member":
            user = (payload.get("old_chat_member") or {}).get("user") or user
        return (_USER_QUEUES[entry.kind], user.get("id"))
    if entry.kind == "poll":
        return ("poll", payload.get("id"))
    if entry.kind == "poll_answer":
        return ("poll", payload.get("poll_id"))
    return ("update", entry.update_id)  # a queue of its own


@dataclass
class WebhookState:
    """The webhook registration and its delivery status."""

    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None
    deliveries: int = 0
    failures: int = 0
    history: list[int] = field(default_factory=list)


class UpdateQueue:
    """Holds undelivered updates and serves them by getUpdates or webhook."""

    def __init__(self, retry_base: float = 0.05, retry_cap: float = 1.0,
                 now: Callable[[], int] = lambda: int(time.time())) -> None:
        self.now = now
        self.expired: list[int] = []
        self.pending: deque[UpdateEntry] = deque()
        self.all: dict[int, UpdateEntry] = {}
        self.allowed: frozenset[str] = frozenset(ALL_UPDATE_TYPES) - NOT_BY_DEFAULT
        self.allowed_list: list[str] | None = None
        self.webhook = WebhookState()
        self._next_id = 100_000_001
        self._arrived = asyncio.Event()
        self._poll_generation = 0
        self._webhook_task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._retry_base = retry_base
        self._retry_cap = retry_cap
        # Telegram keeps its webhook connections open; False posts each update on a new one
        # (so that workers sharing a port by SO_REUSEPORT each get a share in a short test).
        self.keep_alive = True

    def _wake(self) -> None:
        self._arrived.set()
        self._arrived = asyncio.Event()

    def push(self, kind: str, payload: dict[str, Any]) -> UpdateEntry | None:
        """Create an update if the bot's allowed_updates include its type."""
        if kind not in self.allowed:
            return None
        entry = UpdateEntry(self._next_id, kind, payload, time.perf_counter(), self.now())
        self._next_id += 1
        self.pending.append(entry)
        self.all[entry.update_id] = entry
        self._wake()
        return entry

    def duplicate(self, update_id: int, times: int = 1) -> list[int]:
        """Re-enqueue copies of an existing update under new ids (at-least-once delivery)."""
        original = self.all.get(update_id)
        if original is None:
            raise KeyError(f"unknown update_id {update_id}")
        ids = []
        for _ in range(times):
            entry = UpdateEntry(self._next_id, original.kind, copy.deepcopy(original.payload),
                                time.perf_counter(), self.now())
            self._next_id += 1
            self.pending.append(entry)
            self.all[entry.update_id] = entry
            ids.append(entry.update_id)
        self._wake()
        return ids

    def set_allowed(self, allowed: list[str] | None) -> None:
        """Remember allowed_updates like Telegram (an empty list restores the default)."""
        if allowed is None:
            return
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON array")
        self.allowed_list = list(allowed)
        chosen = frozenset(a for a in allowed if a in ALL_UPDATE_TYPES)
        self.allowed = chosen if chosen else frozenset(ALL_UPDATE_TYPES) - NOT_BY_DEFAULT

    def expire(self) -> None:
        """Forget undelivered updates older than 24 hours, as Telegram does."""
        now = self.now()
        if not any(now - entry.date > UPDATE_TTL for entry in self.pending):
            return
        self.expired.extend(e.update_id for e in self.pending if now - e.date > UPDATE_TTL)
        self.pending = deque(e for e in self.pending if now - e.date <= UPDATE_TTL)

    def drop_pending(self) -> None:
        """Forget all undelivered updates."""
        self.pending.clear()

    def confirm(self, offset: int) -> None:
        """Apply getUpdates offset semantics (positive confirms, negative keeps the last N)."""
        if offset > 0:
            while self.pending and self.pending[0].update_id < offset:
                self.pending.popleft()
        elif offset < 0:
            keep = -offset
            while len(self.pending) > keep:
                self.pending.popleft()

    async def get_updates(self, offset: int, limit: int, timeout: float) -> list[dict[str, Any]]:
        """Serve getUpdates, long-polling up to timeout seconds."""
        if self.webhook.url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # terminate an older long poll still waiting
        self.confirm(offset)
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; "
                                    "make sure that only one bot instance is running")
            self.expire()
            if self.pending:
                return [entry.to_dict() for entry in list(self.pending)[:limit]]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            event = self._arrived
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass

    # --- webhook -------------------------------------------------------------------------

    def set_webhook(self, url: str, secret_token: str | None, max_connections: int) -> None:
        """Register the webhook and start delivering."""
        self.webhook.url = url
        self.webhook.secret_token = secret_token
        self.webhook.max_connections = max_connections
        self._wake()
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_loop())

    async def delete_webhook(self) -> None:
        """Remove the webhook and stop delivering."""
        self.webhook.url = ""
        self.webhook.secret_token = None
        await self._stop_task()

    async def _stop_task(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass

    async def close(self) -> None:
        """End waiting long polls, stop webhook delivery and release the HTTP session."""
        self._poll_generation += 1
        self._wake()
        await self._stop_task()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _deliver_loop(self) -> None:
        inflight: dict[Hashable, asyncio.Task[None]] = {}
        loop = asyncio.get_running_loop()
        try:
            while self.webhook.url:
                arrived = self._arrived
                self.expire()
                inflight = {queue: task for queue, task in inflight.items() if not task.done()}
                wake_at = self._start_posts(inflight, loop.time())
                if not inflight and not self.pending:
                    await arrived.wait()
                    continue
                timeout = None if wake_at is None else max(0.0, wake_at - loop.time())
                waiter = loop.create_task(arrived.wait())
                try:
                    await asyncio.wait({*inflight.values(), waiter}, timeout=timeout,
                                       return_when=asyncio.FIRST_COMPLETED)
                finally:
                    waiter.cancel()
        finally:
            for task in inflight.values():
                task.cancel()
            await asyncio.gather(*inflight.values(), return_exceptions=True)

    def _start_posts(self, inflight: dict[Hashable, asyncio.Task[None]], now: float) -> float | None:
        """Post the first update of every idle queue, up to max_connections at once; return the next retry time."""
        limit = self.webhook.max_connections
        seen: set[Hashable] = set(inflight)
        wake_at: float | None = None
        for entry in itertools.islice(self.pending, 2 * limit):
            if len(inflight) >= limit:
                break
            queue = webhook_queue(entry)
            if queue in seen:
                continue  # its queue has an earlier update out, or waiting for a retry
            seen.add(queue)
            if entry.retry_at > now:
                wake_at = entry.retry_at if wake_at is None else min(wake_at, entry.retry_at)
                continue
            inflight[queue] = asyncio.get_running_loop().create_task(self._deliver(entry))
        return wake_at

    async def _deliver(self, entry: UpdateEntry) -> None:
        error, retry_after = await self._post(entry)
        if error is None:
            try:
                self.pending.remove(entry)
            except ValueError:
                pass  # dropped meanwhile (expired, or the pending updates were dropped)
            self.webhook.deliveries += 1
            self.webhook.history.append(entry.update_id)
            return
        self.webhook.failures += 1
        self.webhook.last_error_date = int(time.time())
        self.webhook.last_error_message = error
        entry.fails += 1
        if retry_after is not None:
            delay = min(self._retry_cap, self._retry_base * retry_after)
        elif entry.fails == 1:
            delay = 0.0
        else:
            delay = min(self._retry_cap, self._retry_base * (2 ** (entry.fails - 1)))
        entry.retry_at = asyncio.get_running_loop().time() + delay

    async def _post(self, entry: UpdateEntry) -> tuple[str | None, int | None]:
        """Post one update; return the error (None for a 2xx answer) and the answer's Retry-After."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=60), connector=aiohttp.TCPConnector(force_close=not self.keep_alive)
            )
        headers = {"Content-Type": "application/json"}
        if self.webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook.secret_token
        try:
            async with self._session.post(self.webhook.url, json=entry.to_dict(), headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None, None
                retry_after = response.headers.get("Retry-After", "")
                return (f"Wrong response from the webhook: {response.status} {response.reason}",
                        int(retry_after) if INTEGER.fullmatch(retry_after) else None)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.debug("webhook delivery failed: %s", exc)
            return "Connection refused", None

    def webhook_info(self) -> dict[str, Any]:
        """Serialize WebhookInfo."""
        self.expire()
        info: dict[str, Any] = {"url": self.webhook.url, "has_custom_certificate": False,
                                "pending_update_count": len(self.pending)}
        if self.webhook.url:
            info["max_connections"] = self.webhook.max_connections
            info["ip_address"] = "127.0.0.1"
            if self.allowed_list:
                info["allowed_updates"] = self.allowed_list
        if self.webhook.last_error_date is not None:
            info["last_error_date"] = self.webhook.last_error_date
            info["last_error_message"] = self.webhook.last_error_message
        return info
