"""Which process runs the scheduled jobs: exactly one of the workers sharing a database.

On PostgreSQL the leader is the process holding a session-level advisory lock on a connection
of its own; the server frees the lock when that connection ends, so when the leader dies (even
by SIGKILL) another worker takes the lock at its next check and runs the at-start jobs. Every
worker registers the jobs; a job run in a worker that is not the leader does nothing. With
SQLite only one process runs, and it is always the leader.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from storage.advisory import SessionLock

log = logging.getLogger(__name__)

LEADER_LOCK = 0x63_62_6C_64  # "cbld"

TakeOver = Callable[[], Awaitable[None]]


class Leadership:
    """Hold (or keep trying for) the jobs' lock; call on_takeover when it is won after the start."""

    def __init__(self, url: str, check: float, on_takeover: TakeOver) -> None:
        self._lock = SessionLock(url, LEADER_LOCK, "leader") if url.startswith("postgresql") else None
        self._check = check
        self._on_takeover = on_takeover
        self.is_leader = self._lock is None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Try once now (the at-start jobs of a leader run as usual), then keep checking in the background."""
        if self._lock is None:
            return
        self.is_leader = await self._lock.try_acquire()
        log.info("this worker %s the scheduled jobs", "runs" if self.is_leader else "leaves to another worker")
        self._task = asyncio.get_running_loop().create_task(self._watch(), name="leadership")

    async def _watch(self) -> None:
        assert self._lock is not None
        while True:
            await asyncio.sleep(self._check)
            if self.is_leader:
                if not await self._lock.still_held():
                    self.is_leader = False
                    log.warning("lost the leader lock; scheduled jobs pause here")
                continue
            if await self._lock.try_acquire():
                self.is_leader = True
                log.info("took over the scheduled jobs")
                try:
                    await self._on_takeover()
                except Exception:
                    log.exception("catching up after taking over failed")

    async def close(self) -> None:
        """Stop checking and free the lock (another worker takes over at its next check)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if self._lock is not None:
            await self._lock.close()
            self.is_leader = False


def leader_only(callback: Callable[[Any], Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
    """Wrap a job callback so that it runs only in the leader."""

    @functools.wraps(callback)
    async def run(context: Any) -> None:
        leadership = getattr(context.bot_data, "leader", None)
        if leadership is not None and not leadership.is_leader:
            return
        await callback(context)

    return run
