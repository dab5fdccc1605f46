"""Memberships: who is in which community, with what status and rights."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import GONE_STATUSES, PRESENT_STATUSES, Language, Membership, MemberStatus
from storage.schema import memberships
from storage.sql import grouped, grouped_params, insert

_m = memberships.c
_PRESENT = tuple(sorted(PRESENT_STATUSES))


def _transition(previous: str | None, status: str, now: dt.datetime) -> dict[str, Any]:
    """Return the column values for moving from previous to status."""
    values: dict[str, Any] = {"status": status}
    if previous is None:
        values.update(joined_at=now, left_at=now if status in GONE_STATUSES else None)
    elif status in PRESENT_STATUSES and previous not in PRESENT_STATUSES:
        # A (re-)join after left/kicked/pending starts a new stay.
        values.update(joined_at=now, left_at=None)
    elif status in GONE_STATUSES and previous not in GONE_STATUSES:
        values.update(left_at=now)
    return values


class MembershipsRepo:
    """Read and write the memberships table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, community_id: int, user_id: int) -> Membership | None:
        """Return the membership, or None."""
        row = (
            await self.conn.execute(
                sa.select(memberships).where(_m.community_id == community_id, _m.user_id == user_id)
            )
        ).first()
        return Membership.from_row(row._mapping) if row else None

    async def existing(self, wanted: dict[int, Iterable[int]]) -> set[tuple[int, int]]:
        """Return which (community, user) of {community: user ids} have a membership row (any status)."""
        found: set[tuple[int, int]] = set()
        for groups, params in grouped_params(wanted):
            query = grouped(memberships, "user_id", groups, ("community_id", "user_id"))
            found.update((c, u) for c, u in await self.conn.execute(query, params))
        return found

    async def upsert(
        self, community_id: int, user_id: int, status: MemberStatus, is_admin: bool, now: dt.datetime
    ) -> tuple[Membership, str | None]:
        """Create or update a membership; return it with the previous status (None if new).

        The user row must exist. Telegram's 'administrator'/'creator' map to 'member' with
        is_admin=True.
        """
        existing = await self.get(community_id, user_id)
        if existing is None:
            created = await self.conn.execute(
                insert(self.conn, memberships)
                .values(
                    community_id=community_id,
                    user_id=user_id,
                    is_admin=is_admin,
                    **_transition(None, status, now),
                )
                .on_conflict_do_nothing(index_elements=[_m.community_id, _m.user_id])
            )
            if created.rowcount == 1:
                return await self._require(community_id, user_id), None
            # Lost a race with a concurrent insert (PostgreSQL); fall through to update it.
            existing = await self._require(community_id, user_id)
        values = _transition(existing.status, status, now)
        await self._write(community_id, user_id, is_admin=is_admin, **values)
        return await self._require(community_id, user_id), existing.status

    async def set_status(
        self, community_id: int, user_id: int, status: MemberStatus, now: dt.datetime
    ) -> str | None:
        """Change an existing membership's status; return the previous one (None: no row)."""
        existing = await self.get(community_id, user_id)
        if existing is None:
            return None
        await self._write(community_id, user_id, **_transition(existing.status, status, now))
        return existing.status

    async def set_language(self, community_id: int, user_id: int, language: Language | None) -> None:
        """Set (or clear with None) the member's language override in this community."""
        await self._write(community_id, user_id, language=language)

    async def set_admins(
        self, community_id: int, admin_ids: set[int], now: dt.datetime
    ) -> tuple[set[int], set[int]]:
        """Make exactly admin_ids the community's admins; return (granted, revoked).

        Admins without a membership get one (status 'member'); their user rows must exist.
        """
        before = await self.admins(community_id)
        revoke = sa.update(memberships).where(_m.community_id == community_id, _m.is_admin.is_(True))
        if admin_ids:
            revoke = revoke.where(_m.user_id.not_in(admin_ids))
        await self.conn.execute(revoke.values(is_admin=False))
        for user_id in sorted(admin_ids):
            existing = await self.get(community_id, user_id)
            if existing is not None and existing.is_active and existing.is_admin:
                continue
            status = existing.status if existing is not None and existing.is_active else "member"
            await self.upsert(community_id, user_id, status, True, now)
        return admin_ids - before, before - admin_ids

    async def admins(self, community_id: int) -> set[int]:
        """Return the ids of the community's present admins."""
        rows = await self.conn.execute(
            sa.select(_m.user_id).where(
                _m.community_id == community_id,
                _m.is_admin.is_(True),
                _m.status.in_(_PRESENT),
            )
        )
        return set(rows.scalars())

    async def count_active(self, community_id: int) -> int:
        """Count the members present in the group now."""
        count = await self.conn.scalar(
            sa.select(sa.func.count())
            .select_from(memberships)
            .where(_m.community_id == community_id, _m.status.in_(_PRESENT))
        )
        return int(count or 0)

    async def _require(self, community_id: int, user_id: int) -> Membership:
        membership = await self.get(community_id, user_id)
        assert membership is not None
        return membership

    async def _write(self, community_id: int, user_id: int, **values: Any) -> None:
        await self.conn.execute(
            sa.update(memberships)
            .where(_m.community_id == community_id, _m.user_id == user_id)
            .values(**values)
        )
