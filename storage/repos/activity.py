"""member_days: who wrote in the group on which local day, and how many messages."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.repos.many import ManyRows
from storage.schema import member_days
from storage.sql import insert

_d = member_days.c


def _add_messages(conn: AsyncConnection):  # noqa: ANN202 - a ManyRows builder
    stmt = insert(conn, member_days)
    return stmt.on_conflict_do_update(
        index_elements=[_d.community_id, _d.day, _d.user_id], set_={"messages": _d.messages + stmt.excluded.messages}
    )


_DAYS = ManyRows(member_days, ("community_id", "day", "user_id", "messages"), _add_messages)


class ActivityRepo:
    """Write the member-days that /stats counts active members, messages and retention from."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add_messages(self, rows: Sequence[tuple[int, int, int, int]]) -> None:
        """Add (community_id, day, user_id, messages) to the members' days, in one statement."""
        await _DAYS.run(self.conn, rows)
