"""The Database handle: opens the engine, migrates, and hands out transactions."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import TracebackType
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import SETTLED, WRITE_OPTIONS, create_engine
from storage.migrate import upgrade
from storage.repos import Repos
from storage.transaction import TransactionEvents

log = logging.getLogger(__name__)

# Called with the ids of the outbox notices a transaction queued, after it committed.
CommitListener = Callable[[list[int]], None]
# Called with the ids of the users whose row or settings a transaction wrote, after it committed.
UsersListener = Callable[[set[int]], None]

# PostgreSQL's serialization_failure and deadlock_detected: the transaction did nothing and may run again.
RETRY_SQLSTATES = frozenset({"40001", "40P01"})
RETRY_ATTEMPTS = 5


class Conflict(RuntimeError):
    """A write met a concurrent one it cannot merge with; the whole transaction may run again."""


def is_retryable(exc: BaseException) -> bool:
    """Tell whether exc means "run the transaction again": a deadlock, a serialization failure or a Conflict."""
    if isinstance(exc, Conflict):
        return True
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        return getattr(orig, "sqlstate", None) in RETRY_SQLSTATES or getattr(orig, "pgcode", None) in RETRY_SQLSTATES
    return False


class Attempt:
    """One try of a retried write transaction: `async with attempt as repos`."""

    def __init__(self, db: Database, last: bool) -> None:
        self._db = db
        self._last = last
        self._inner: AbstractAsyncContextManager[Repos] | None = None
        self.failed: BaseException | None = None

    async def __aenter__(self) -> Repos:
        self._inner = self._db.transaction()
        return await self._inner.__aenter__()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        assert self._inner is not None
        error = exc
        try:
            if await self._inner.__aexit__(exc_type, exc, tb):
                return True
        except Exception as raised:  # the commit failed, or the rollback replaced exc
            error = raised
            if self._last or not is_retryable(raised):
                raise
        if error is None or self._last or not is_retryable(error):
            return False
        self.failed = error
        return True


class Attempts:
    """Yield Attempts until one commits (or raises something that is not retryable, or the last fails)."""

    def __init__(self, db: Database, attempts: int) -> None:
        self._db = db
        self._left = attempts
        self._current: Attempt | None = None
        self._tries = 0

    def __aiter__(self) -> Attempts:
        return self

    async def __anext__(self) -> Attempt:
        if self._current is not None:
            if self._current.failed is None:
                raise StopAsyncIteration
            log.info("retrying a write transaction after %r", self._current.failed)
            # Jittered backoff so the transactions that collided do not collide again.
            await asyncio.sleep(random.uniform(0, 0.01 * 2**self._tries))
        self._tries += 1
        self._left -= 1
        self._current = Attempt(self._db, last=self._left <= 0)
        return self._current


class Database:
    """An async SQLAlchemy Core engine with write and read transactions."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._outbox_listeners: list[CommitListener] = []
        self._users_listeners: list[UsersListener] = []

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True, **engine_kwargs: Any) -> Database:
        """Create the engine (and the SQLite file's directory) and migrate to head."""
        engine = create_engine(url, **engine_kwargs)
        if migrate:
            try:
                await upgrade(engine)
            except BaseException:
                await engine.dispose()
                raise
        return cls(engine)

    @property
    def engine(self) -> AsyncEngine:
        """Return the underlying engine (for migrations and diagnostics)."""
        return self._engine

    @property
    def dialect_name(self) -> str:
        """Return the backend name: 'sqlite' or 'postgresql'."""
        return self._engine.dialect.name

    def on_outbox_commit(self, listener: CommitListener) -> None:
        """Call listener after every commit of a transaction that queued outbox notices."""
        self._outbox_listeners.append(listener)

    def on_users_commit(self, listener: UsersListener) -> None:
        """Call listener after every commit of a transaction that wrote user rows or settings (caches forget)."""
        self._users_listeners.append(listener)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repos]:
        """Open a write transaction: commit on success, roll back on any exception.

        A transaction that queued outbox notices wakes the senders once it has committed;
        a rolled-back one wakes nobody (its notices are gone with it).
        """
        events = TransactionEvents()
        async with self._engine.connect() as conn:
            await conn.execution_options(**WRITE_OPTIONS)
            async with conn.begin():
                yield Repos(conn, events)
            conn.info[SETTLED] = True
        if events.users_written:
            for users_listener in self._users_listeners:
                users_listener(events.users_written)
        if events.outbox_ids:
            for listener in self._outbox_listeners:
                listener(events.outbox_ids)

    def retrying(self, attempts: int = RETRY_ATTEMPTS) -> Attempts:
        """Run a re-runnable write transaction again when it deadlocked, failed serialization or met a Conflict.

        Use as `async for attempt in db.retrying(): async with attempt as repos: ...`; the body
        must have no effect outside the database before it commits (it may run several times).
        On SQLite (one writer at a time) the first attempt is the only one.
        """
        return Attempts(self, attempts)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Repos]:
        """Open a read-only transaction (deferred on SQLite, READ ONLY on PostgreSQL)."""
        async with self._engine.connect() as conn:
            if self.dialect_name == "postgresql":
                await conn.execution_options(postgresql_readonly=True)
            async with conn.begin():
                yield Repos(conn)
            conn.info[SETTLED] = True

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Repos]:
        """Open a read of ONE statement: read() on PostgreSQL, no BEGIN/COMMIT on SQLite.

        On SQLite a lone SELECT outside a transaction reads one consistent snapshot of the
        database; repositories that run it in one driver call (storage.repos.prepared) then
        cost a single trip to aiosqlite's thread. A second statement would see its own,
        possibly later, snapshot: reads of several statements use read().
        """
        if self.dialect_name != "sqlite":
            async with self.read() as repos:
                yield repos
            return
        async with self._engine.connect() as conn:
            yield Repos(conn)
            if not conn.in_transaction():
                conn.info[SETTLED] = True

    async def close(self) -> None:
        """Close all pooled connections."""
        await self._engine.dispose()
