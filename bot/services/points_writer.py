"""Group commit for the hot path: messages and reactions arriving together share one transaction."""

from __future__ import annotations

import asyncio
import logging

from bot.clock import Clock
from bot.services.earning import Seen, do_record_events
from bot.services.points import Award
from bot.services.points_rules import Scoring
from storage.db import Database

log = logging.getLogger(__name__)

# Bounds one transaction's length (and so how long other writers may wait for the lock).
MAX_BATCH = 256


class PointsWriter:
    """Queues message/reaction events and writes whatever is queued in one transaction.

    There is no timer: the first event starts a write at once, and everything that arrives
    while a write is running goes into the next one, so a quiet group sees no added
    latency and a busy bot writes in batches. Each caller gets its own event's Award once
    the transaction holding it has committed.
    """

    def __init__(self, db: Database, scoring: Scoring, clock: Clock) -> None:
        self._db = db
        self._scoring = scoring
        self._clock = clock
        self._pending: list[tuple[Seen, asyncio.Future[Award | None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def record(self, event: Seen) -> Award | None:
        """Queue one event and wait until it is committed; return its award (None: none)."""
        future: asyncio.Future[Award | None] = asyncio.get_running_loop().create_future()
        self._pending.append((event, future))
        if self._task is None:
            self._task = asyncio.create_task(self._drain(), name="points-writer")
        return await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                await self._write(batch)
        finally:
            self._task = None

    async def _write(self, batch: list[tuple[Seen, asyncio.Future[Award | None]]]) -> None:
        try:
            results = await do_record_events(self._db, self._scoring, self._clock, [event for event, _ in batch])
        except Exception as exc:  # noqa: BLE001 - handed to the callers, whose error handler logs it
            if len(batch) == 1:
                if not batch[0][1].done():
                    batch[0][1].set_exception(exc)
                return
            # One bad event must not cost the others their points: retry them one by one.
            log.warning("points batch of %d failed (%s); writing them one by one", len(batch), exc)
            for item in batch:
                await self._write([item])
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
