"""Sending at Telegram's limits: the outbox's overall rate and each chat's turn.

Telegram allows about 30 messages a second overall, about one a second in a private chat
(short bursts tolerated) and 20 a minute in a group; beyond that it answers 429. PTB's
AIORateLimiter, which every request of the bot goes through, knows the overall and group
limits, but it has no per-private-chat limit, and it *waits* inside the request: a message
for a chat that is not ready would hold the sender while messages for other chats could go.
So the outbox paces itself before it sends:

- `overall` (aiolimiter's leaky bucket, the same one PTB uses) spaces the outbox's sends at
  the configured rate, below Telegram's 30/s so that replies to updates, which AIORateLimiter
  alone paces, always find room; notices marked for paid broadcast use their own bucket
  (Telegram allows up to 1000/s for those, for a fee in Stars);
- `ChatTurns` keeps a small token bucket per chat: a private chat takes one message a second;
  a group at most 20 in any minute (five in a row allowed, then one every 4 s), and never two
  within a second. A chat that is not ready is skipped, never slept on; its notice is claimed when its
  turn comes, while other chats' notices go meanwhile.

Counting from the moment Telegram answered (not from when the request left) keeps the
spacing Telegram sees at least the interval, whatever the network delays.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from aiolimiter import AsyncLimiter

# Per chat: at most one message a second anywhere. A group may take a few in a row (a
# greeting, a welcome and a level-up), then one every 4 s: burst plus refill stay within 20
# in any minute, and the group keeps some room for the replies PTB's limiter also counts there.
MIN_GAP = 1.0
PRIVATE_RATE, PRIVATE_BURST = 1.0, 1
GROUP_PER_MINUTE, GROUP_BURST = 20, 5
GROUP_RATE = (GROUP_PER_MINUTE - GROUP_BURST) / 60


@dataclass
class _Turn:
    """One chat's budget: tokens refilled at rate up to burst, and when its last message was answered."""

    tokens: float
    stamp: float
    last: float


class ChatTurns:
    """When each chat may take its next message (in this process; a restart starts afresh)."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._turns: dict[int, _Turn] = {}

    @staticmethod
    def _limits(chat_id: int) -> tuple[float, int]:
        return (GROUP_RATE, GROUP_BURST) if chat_id < 0 else (PRIVATE_RATE, PRIVATE_BURST)

    def _refill(self, chat_id: int, turn: _Turn, now: float) -> None:
        rate, burst = self._limits(chat_id)
        turn.tokens = min(burst, turn.tokens + (now - turn.stamp) * rate)
        turn.stamp = now

    def sent(self, chat_id: int) -> None:
        """Note that a message to chat_id was just answered (a send that did not wait its turn owes it)."""
        now = self._monotonic()
        turn = self._turns.get(chat_id)
        if turn is None:
            turn = self._turns[chat_id] = _Turn(self._limits(chat_id)[1], now, now)
        self._refill(chat_id, turn, now)
        turn.tokens -= 1
        turn.last = now

    def _ready_at(self, chat_id: int, turn: _Turn, now: float) -> float:
        self._refill(chat_id, turn, now)
        rate = self._limits(chat_id)[0]
        refilled = now if turn.tokens >= 1 else now + (1 - turn.tokens) / rate
        return max(turn.last + MIN_GAP, refilled)

    def not_ready(self) -> frozenset[int]:
        """Return the chats that must still wait (and forget the ones whose budget is full again)."""
        now = self._monotonic()
        waiting = set()
        for chat_id, turn in list(self._turns.items()):
            if self._ready_at(chat_id, turn, now) > now:
                waiting.add(chat_id)
            elif turn.tokens >= self._limits(chat_id)[1]:
                del self._turns[chat_id]
        return frozenset(waiting)

    def wait_for(self, chats: set[int]) -> float | None:
        """Return the seconds until the first of these chats is ready (None: none is waiting)."""
        now = self._monotonic()
        times = [self._ready_at(chat, self._turns[chat], now) for chat in chats if chat in self._turns]
        return max(0.0, min(times) - now) if times else None


class Pacer:
    """The outbox's pace: an overall rate (another for paid broadcasts) and each chat's turn."""

    def __init__(self, rate: float, paid_rate: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.paid_rate = paid_rate
        self._overall = AsyncLimiter(rate, 1)
        self._paid = AsyncLimiter(paid_rate, 1)
        self.turns = ChatTurns(monotonic)

    async def take(self, paid: bool) -> None:
        """Wait for a slot in the overall rate (the paid-broadcast one when paid)."""
        await (self._paid if paid else self._overall).acquire()
