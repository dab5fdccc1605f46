"""Communities: one row per Telegram group the bot serves."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import PRESENT_STATUSES, Community, Language, Membership
from storage.schema import communities, memberships, outbox
from storage.sql import insert, row_dict

_PRESENT = tuple(sorted(PRESENT_STATUSES))


class CommunitiesRepo:
    """Read and write the communities table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, chat_id: int) -> Community | None:
        """Return the community for a chat id, or None."""
        row = (await self.conn.execute(sa.select(communities).where(communities.c.id == chat_id))).first()
        return Community.from_row(row._mapping) if row else None

    async def register(
        self, chat_id: int, title: str, chat_type: str, username: str | None, now: dt.datetime
    ) -> tuple[Community, bool]:
        """Insert or reactivate a community; True when it is new or came back from 'left'."""
        created = await self.conn.execute(
            insert(self.conn, communities)
            .values(
                id=chat_id,
                title=title,
                username=username,
                chat_type=chat_type,
                status="active",
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=[communities.c.id])
        )
        fresh = created.rowcount == 1
        if not fresh:
            # The status condition makes this atomic: of two racing re-adds only one wins.
            reactivated = await self.conn.execute(
                sa.update(communities)
                .where(communities.c.id == chat_id, communities.c.status != "active")
                .values(status="active")
            )
            fresh = reactivated.rowcount == 1
            await self.conn.execute(
                sa.update(communities)
                .where(communities.c.id == chat_id)
                .values(title=title, username=username, chat_type=chat_type, updated_at=now)
            )
        community = await self.get(chat_id)
        assert community is not None
        return community, fresh

    async def mark_left(self, chat_id: int, now: dt.datetime) -> None:
        """Record that the bot is no longer in the group (nothing is deleted)."""
        await self._update(chat_id, now, status="left")

    async def set_language(self, chat_id: int, lang: Language, now: dt.datetime) -> None:
        """Set the community's default language."""
        await self._update(chat_id, now, language=lang)

    async def set_timezone(self, chat_id: int, timezone: str, now: dt.datetime) -> None:
        """Set the community's IANA time zone (used for local days and schedules)."""
        await self._update(chat_id, now, timezone=timezone)

    async def set_column(self, chat_id: int, column: str, value: object, now: dt.datetime) -> None:
        """Set one of the community's settings that live in a column (language, timezone)."""
        await self._update(chat_id, now, **{column: value})

    async def migrate_id(self, old_id: int, new_id: int, now: dt.datetime) -> bool:
        """Move a community and all its rows to a new chat id (group → supergroup)."""
        if await self.get(old_id) is None:
            return False
        if old_id == new_id:
            return True
        new = await self.get(new_id)
        if new is not None:
            # Updates from the new supergroup raced the migration message and registered a
            # stub. The old community carries the history, so it wins; the stub's own rows
            # (admins, a welcome) are re-created by the next updates.
            await self.conn.execute(sa.delete(communities).where(communities.c.id == new_id))
        values: dict[str, object] = {"id": new_id, "chat_type": "supergroup", "updated_at": now}
        if new is not None:
            values.update(title=new.title, username=new.username, status=new.status)
        # Every foreign key to communities.id is ON UPDATE CASCADE, so child rows follow
        # (SQLite honours this with PRAGMA foreign_keys=ON, PostgreSQL always).
        await self.conn.execute(sa.update(communities).where(communities.c.id == old_id).values(**values))
        # Messages queued for the old chat would fail with "group chat was upgraded".
        await self.conn.execute(
            sa.update(outbox)
            .where(outbox.c.chat_id == old_id, outbox.c.status == "pending")
            .values(chat_id=new_id)
        )
        await self.conn.execute(
            sa.update(outbox).where(outbox.c.community_id == old_id).values(community_id=new_id)
        )
        # Notices still to render name the group in their params (the welcome's deep link).
        waiting = await self.conn.execute(
            sa.select(outbox.c.id, outbox.c.params).where(outbox.c.community_id == new_id, outbox.c.status == "pending")
        )
        for id, params in waiting.all():
            if isinstance(params, dict) and params.get("group") == old_id:
                moved = {**params, "group": new_id}
                await self.conn.execute(sa.update(outbox).where(outbox.c.id == id).values(params=moved))
        return True

    async def active_ids(self) -> list[int]:
        """Return the ids of the active communities."""
        rows = await self.conn.execute(
            sa.select(communities.c.id).where(communities.c.status == "active").order_by(communities.c.id)
        )
        return list(rows.scalars())

    async def list_for_user(self, user_id: int) -> list[tuple[Community, Membership]]:
        """Return the active communities the user is in now, by title."""
        rows = await self.conn.execute(
            sa.select(communities, memberships)
            .join(memberships, memberships.c.community_id == communities.c.id)
            .where(
                memberships.c.user_id == user_id,
                memberships.c.status.in_(_PRESENT),
                communities.c.status == "active",
            )
            .order_by(communities.c.title, communities.c.id)
        )
        return [
            (
                Community.from_row(row_dict(row, communities)),
                Membership.from_row(row_dict(row, memberships)),
            )
            for row in rows
        ]

    async def _update(self, chat_id: int, now: dt.datetime, **values: object) -> None:
        await self.conn.execute(
            sa.update(communities).where(communities.c.id == chat_id).values(updated_at=now, **values)
        )


async def lock_numbering(conn: AsyncConnection, community_id: int) -> None:
    """Hold the community's row until commit, so its next question or FAQ number goes to one writer.

    PostgreSQL only (SQLite's write transactions hold the one write lock already: no statement).
    FOR NO KEY UPDATE: other transactions still insert rows that reference the community.
    """
    if conn.dialect.name != "postgresql":
        return
    await conn.execute(
        sa.select(communities.c.id).where(communities.c.id == community_id).with_for_update(key_share=True)
    )
