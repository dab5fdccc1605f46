"""A PostgreSQL session-level advisory lock, held on a connection of its own for as long as it lives."""

from __future__ import annotations

import logging
import os

import asyncpg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0
QUERY_TIMEOUT = 5.0


class SessionLock:
    """Try to take an advisory lock key; the server frees it when this connection ends (even on SIGKILL)."""

    def __init__(self, url: str, key: int, purpose: str) -> None:
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._key = key
        # pg_stat_activity shows which process holds it.
        self._application_name = f"circlebot-{purpose}:{os.getpid()}"
        self._conn: asyncpg.Connection | None = None

    async def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; True when this process holds it now (False when the server is away)."""
        try:
            if self._conn is None or self._conn.is_closed():
                self._conn = await asyncpg.connect(
                    self._dsn, timeout=CONNECT_TIMEOUT, server_settings={"application_name": self._application_name}
                )
            got = await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", self._key, timeout=QUERY_TIMEOUT)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("could not try the advisory lock: %s", exc)
            await self.close()
            return False
        return bool(got)

    async def still_held(self) -> bool:
        """Whether the lock's connection is alive (then the lock is still ours); closes a broken one."""
        if self._conn is None or self._conn.is_closed():
            return False
        try:
            await self._conn.fetchval("SELECT 1", timeout=QUERY_TIMEOUT)
            return True
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("the advisory lock's connection broke: %s", exc)
            await self.close()
            return False

    async def close(self) -> None:
        """End the connection, which frees the lock."""
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            try:
                await conn.close(timeout=QUERY_TIMEOUT)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                conn.terminate()
