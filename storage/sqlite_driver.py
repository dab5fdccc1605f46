"""aiosqlite under SQLAlchemy with one trip to the driver's thread per statement.

aiosqlite runs every sqlite3 call on its own thread, and SQLAlchemy's adapter makes four
calls per statement (open a cursor, execute, fetch, close), each a hand-off to that thread
and a wait for the event loop to pick the answer up. SQLite itself spends a few
microseconds on an indexed statement, so the hand-offs were most of what a transaction
cost. This cursor sends the four as one function: the thread opens a cursor, executes,
fetches every row, notes description, rowcount and lastrowid, and closes it; the event loop
then reads from that copy. Everything else (connections, transactions, errors,
server-side cursors) is SQLAlchemy's aiosqlite dialect unchanged; engine.create_engine
installs it as the DBAPI module.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_dbapi
from sqlalchemy.util import await_only

_Outcome = tuple[Any, list[Any] | None, int, int | None]


def _run(conn: sqlite3.Connection, sql: str, params: Any, many: bool) -> _Outcome:
    """On the driver's thread: execute, fetch everything, and close the cursor."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
        rows = cursor.fetchall() if cursor.description else None
        return cursor.description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor:
    """A DBAPI cursor whose execute is one call on aiosqlite's thread; rows are read from memory."""

    server_side = False
    arraysize = 1

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        self._adapt_connection = adapt_connection
        self._connection: aiosqlite.Connection = adapt_connection._connection
        self._rows: collections.deque[Any] = collections.deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    def _call(self, sql: str, params: Any, many: bool) -> None:
        connection = self._connection
        try:
            outcome = await_only(connection._execute(_run, connection._conn, sql, params, many))
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self.description, rows, self.rowcount, self.lastrowid = outcome
        self._rows = collections.deque(rows or ())

    def execute(self, operation: str, parameters: Sequence[Any] | None = None) -> None:
        """Execute one statement and keep all its rows."""
        self._call(operation, () if parameters is None else parameters, many=False)

    def executemany(self, operation: str, seq_of_parameters: Sequence[Sequence[Any]]) -> None:
        """Execute one statement for each parameter set."""
        self._call(operation, seq_of_parameters, many=True)

    def fetchone(self) -> Any:
        """Return the next row, or None."""
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        """Return up to size rows (arraysize by default)."""
        count = self.arraysize if size is None else size
        return [self._rows.popleft() for _ in range(min(count, len(self._rows)))]

    def fetchall(self) -> list[Any]:
        """Return the remaining rows."""
        rows = list(self._rows)
        self._rows.clear()
        return rows

    def close(self) -> None:
        """Forget the rows (the sqlite3 cursor was closed on the thread already)."""
        self._rows.clear()

    async def _async_soft_close(self) -> None:
        """Nothing to close asynchronously (SQLAlchemy's async results call this)."""

    def setinputsizes(self, *args: Any) -> None:
        """Not used by SQLite."""


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor  # type: ignore[assignment]


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DBAPI shim whose connections hand out OneTripCursors."""

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        """Connect as SQLAlchemy's shim does, with the one-trip cursor."""
        adapted = super().connect(*arg, **kw)
        return _Connection(self, adapted._connection)


def one_trip_dbapi() -> OneTripDBAPI:
    """Return the DBAPI module to pass as create_async_engine(module=...) for sqlite+aiosqlite URLs."""
    return OneTripDBAPI(aiosqlite, sqlite3)
