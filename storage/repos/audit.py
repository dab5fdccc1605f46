"""The admin audit log: append-only record of what admins did."""

from __future__ import annotations

import builtins
import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import AuditEntry
from storage.schema import admin_audit

_a = admin_audit.c


class AuditRepo:
    """Append to and read the admin_audit table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(
        self,
        community_id: int,
        actor_id: int,
        action: str,
        target_user_id: int | None,
        details: dict[str, Any] | None,
        now: dt.datetime,
    ) -> int:
        """Record one admin action; return its id."""
        result = await self.conn.execute(
            sa.insert(admin_audit)
            .values(
                community_id=community_id,
                actor_id=actor_id,
                action=action,
                target_user_id=target_user_id,
                details=details,
                created_at=now,
            )
            .returning(_a.id)
        )
        return int(result.scalar_one())

    async def list(self, community_id: int, limit: int = 50, offset: int = 0) -> builtins.list[AuditEntry]:
        """Return the community's latest entries, newest first (skipping `offset` of them)."""
        rows = await self.conn.execute(
            sa.select(admin_audit)
            .where(_a.community_id == community_id)
            .order_by(_a.created_at.desc(), _a.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [AuditEntry.from_row(row._mapping) for row in rows]

    async def count(self, community_id: int) -> int:
        """Count the community's entries."""
        return int(await self.conn.scalar(
            sa.select(sa.func.count()).select_from(admin_audit).where(_a.community_id == community_id)
        ) or 0)
