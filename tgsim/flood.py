"""Optional flood control: token buckets like Telegram's documented sending limits."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from tgsim.errors import too_many_requests
from tgsim.world import ChatRecord

# Telegram: allow_paid_broadcast lifts the overall limit to 1000 messages a second.
PAID_BROADCAST_RATE = 1000


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
    """≈30 messages/s overall (1000/s for paid broadcasts), ~1/s per private chat (burst 3), 20/min per group.

    overall_rate raises or lowers the overall limit (benchmarks); per-chat limits stay Telegram's.
    """

    def __init__(self, enabled: bool, overall_rate: float = 30) -> None:
        self.enabled = enabled
        now = time.monotonic()
        self._global = Bucket(overall_rate, overall_rate, overall_rate, now)
        self._paid = Bucket(PAID_BROADCAST_RATE, PAID_BROADCAST_RATE, PAID_BROADCAST_RATE, now)
        self._chats: dict[int, Bucket] = {}
        self.refused = 0  # 429s answered so far

    def check(self, chat: ChatRecord, paid: bool = False) -> None:
        """Charge one outgoing message (a paid broadcast to the paid bucket) or raise 429 with retry_after."""
        if not self.enabled:
            return
        now = time.monotonic()
        bucket = self._chats.get(chat.id)
        if bucket is None:
            bucket = Bucket(20, 20 / 60, 20, now) if chat.is_group else Bucket(3, 1, 3, now)
            self._chats[chat.id] = bucket
        wait = max((self._paid if paid else self._global).take(now), bucket.take(now))
        if wait > 0:
            self.refused += 1
            raise too_many_requests(max(1, math.ceil(wait)))
