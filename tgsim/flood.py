"""Optional flood control: token buckets like Telegram's documented sending limits."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from tgsim.errors import too_many_requests
from tgsim.world import ChatRecord


@dataclass
class Bucket:
    """A token bucket: capacity tokens, refilled at rate tokens per second."""

    capacity: float
    rate: float
    tokens: float
    stamp: float

    def take(self, now: float) -> float:
        """Take one token; return 0 on success or the seconds to wait."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class FloodControl:
    """≈30 messages/s overall, ~1/s per private chat (burst 3), 20/min per group."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._global = Bucket(30, 30, 30, time.monotonic())
        self._chats: dict[int, Bucket] = {}

    def check(self, chat: ChatRecord) -> None:
        """Charge one outgoing message or raise 429 with retry_after."""
        if not self.enabled:
            return
        now = time.monotonic()
        bucket = self._chats.get(chat.id)
        if bucket is None:
            bucket = Bucket(20, 20 / 60, 20, now) if chat.is_group else Bucket(3, 1, 3, now)
            self._chats[chat.id] = bucket
        wait = max(self._global.take(now), bucket.take(now))
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
