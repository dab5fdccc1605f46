"""Bulk loads for imports and benchmarks: many rows in one statement per chunk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncConnection

import sqlalchemy as sa

from storage.schema import memberships, users
from storage.sql import chunks, insert

BULK_CHUNK = 20_000


class BulkRepo:
    """Insert users and memberships (existing rows are left alone), or any table's rows, in bulk."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add_users(self, people: Iterable[tuple[int, str, str | None]], now: dt.datetime) -> None:
        """Insert (id, first_name, username) users that do not exist yet."""
        stmt = insert(self.conn, users).on_conflict_do_nothing(index_elements=[users.c.id])
        for batch in chunks(people, BULK_CHUNK):
            await self.conn.execute(
                stmt,
                [
                    {"id": uid, "first_name": name, "username": username, "is_bot": False,
                     "created_at": now, "updated_at": now}
                    for uid, name, username in batch
                ],
            )

    async def add_members(self, community_id: int, user_ids: Iterable[int], now: dt.datetime) -> None:
        """Insert 'member' memberships of a community for users that have none there."""
        stmt = insert(self.conn, memberships).on_conflict_do_nothing(
            index_elements=[memberships.c.community_id, memberships.c.user_id]
        )
        for batch in chunks(user_ids, BULK_CHUNK):
            await self.conn.execute(
                stmt,
                [
                    {"community_id": community_id, "user_id": uid, "status": "member", "is_admin": False,
                     "joined_at": now}
                    for uid in batch
                ],
            )

    async def add_rows(self, table: sa.Table, rows: Iterable[dict[str, object]]) -> None:
        """Insert rows into a table as they are (benchmarks and imports that build whole communities)."""
        for batch in chunks(rows, BULK_CHUNK):
            await self.conn.execute(sa.insert(table), list(batch))
