"""Group commit for the hot path: messages and reactions are written in batches, in order."""

from __future__ import annotations

import asyncio
import logging

from bot.clock import Clock
from bot.services.earning import Seen, do_record_events
from bot.services.points import Award
from bot.services.points_rules import Scoring
from storage.db import Database

log = logging.getLogger(__name__)

# Bounds one transaction's length (and so how long other writers may wait for the lock). A batch
# costs about a dozen statements whatever its size, and under a burst each statement waits its
# turn in a busy event loop: a big batch lets the writer keep up (at 256 it fell behind and
# finished a 5,000-message burst 0.4 s after the handlers). Idle, 2,048 events take ~0.1 s.
MAX_BATCH = 2048



class PointsWriter:
    """Queues message and reaction events and writes whatever is queued in one transaction.

    A handler either submits an event and returns at once (a plain message needs no answer,
    and its chat's next update should not wait for a commit), or awaits `record` for the
    Award. Events are written in the order they were queued, so a reaction never overtakes
    the message it reacts to. Level-up announcements are outbox notices of the same
    transaction and go out when it commits.
    """

    def __init__(self, db: Database, scoring: Scoring, clock: Clock) -> None:
        self._db = db
        self._scoring = scoring
        self._clock = clock
        self._pending: list[tuple[Seen, asyncio.Future[Award | None] | None]] = []
        self._task: asyncio.Task[None] | None = None
        # Events queued and events whose batch ended, counted from the start; waiters of caught_up.
        self._queued = self._ended = 0
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    def submit(self, event: Seen) -> None:
        """Queue an event to be written soon; errors are logged, not raised."""
        self._pending.append((event, None))
        self._queued += 1
        self._start()

    async def record(self, event: Seen) -> Award | None:
        """Queue an event and wait until it is committed; return its award (None: none)."""
        future: asyncio.Future[Award | None] = asyncio.get_running_loop().create_future()
        self._pending.append((event, future))
        self._queued += 1
        self._start()
        return await future

    async def flush(self) -> None:
        """Wait until every event queued so far is committed (tests, shutdown)."""
        while self._task is not None:
            await asyncio.shield(self._task)

    async def caught_up(self) -> None:
        """Wait until the events queued so far are written (later ones are not waited for).

        A webhook answer waits for it: Telegram sends a chat's next update only after the answer,
        perhaps to another worker, which must see this update's points.
        """
        if self._ended >= self._queued:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((self._queued, future))
        await future

    async def close(self) -> None:
        """Write what is queued."""
        await self.flush()

    def _start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._drain(), name="points-writer")

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                await self._write(batch)
                self._ended += len(batch)
                self._wake_waiters()
        finally:
            self._task = None
            if not self._pending:
                self._ended = self._queued
            self._wake_waiters()

    def _wake_waiters(self) -> None:
        waiting = []
        for target, future in self._waiters:
            if target <= self._ended or self._task is None:
                if not future.done():
                    future.set_result(None)
            else:
                waiting.append((target, future))
        self._waiters = waiting

    async def _write(self, batch: list[tuple[Seen, asyncio.Future[Award | None] | None]]) -> None:
        try:
            results = await do_record_events(self._db, self._scoring, self._clock, [event for event, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                event, future = batch[0]
                if future is None:
                    log.exception("points for %s in chat %s were not recorded", type(event).__name__,
                                  event.community_id)
                elif not future.done():
                    future.set_exception(exc)
                return
            # One bad event must not cost the others their points: retry them one by one.
            log.warning("points batch of %d failed (%s); writing them one by one", len(batch), exc)
            for item in batch:
                await self._write([item])
            return
        for (_, future), result in zip(batch, results, strict=True):
            if future is not None and not future.done():
                future.set_result(result)
