"""The Database handle: opens the engine, migrates, and hands out transactions."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import WRITE_OPTIONS, create_engine
from storage.migrate import upgrade
from storage.repos import Repos
from storage.transaction import TransactionEvents

log = logging.getLogger(__name__)

# Called with the ids of the outbox notices a transaction queued, after it committed.
CommitListener = Callable[[list[int]], None]
# Called with the ids of the users whose row or settings a transaction wrote, after it committed.
UsersListener = Callable[[set[int]], None]


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
        if events.users_written:
            for users_listener in self._users_listeners:
                users_listener(events.users_written)
        if events.outbox_ids:
            for listener in self._outbox_listeners:
                listener(events.outbox_ids)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Repos]:
        """Open a read-only transaction (deferred on SQLite, READ ONLY on PostgreSQL)."""
        async with self._engine.connect() as conn:
            if self.dialect_name == "postgresql":
                await conn.execution_options(postgresql_readonly=True)
            async with conn.begin():
                yield Repos(conn)

    async def close(self) -> None:
        """Close all pooled connections."""
        await self._engine.dispose()
