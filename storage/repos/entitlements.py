"""Entitlements: who owns which item, and whether the content has been delivered."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models_content import Entitlement, EntitlementSource
from storage.schema import entitlements
from storage.sql import insert

_e = entitlements.c
MAX_ERROR_CHARS = 500


class EntitlementsRepo:
    """Read and write the entitlements table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def grant(
        self,
        community_id: int,
        item_id: int,
        user_id: int,
        source: EntitlementSource,
        now: dt.datetime,
        *,
        payment_id: int | None = None,
        points_spent: int | None = None,
    ) -> Entitlement | None:
        """Grant an item with delivery pending; None when the user already holds it."""
        row = (
            await self.conn.execute(
                insert(self.conn, entitlements)
                .values(
                    community_id=community_id,
                    item_id=item_id,
                    user_id=user_id,
                    source=source,
                    payment_id=payment_id,
                    points_spent=points_spent,
                    status="active",
                    created_at=now,
                    delivery="pending",
                    delivery_attempts=0,
                )
                # The partial index's own predicate, as text: a bound 'active' does not match it on PostgreSQL.
                .on_conflict_do_nothing(
                    index_elements=[_e.item_id, _e.user_id], index_where=sa.text("status = 'active'")
                )
                .returning(*entitlements.c)
            )
        ).first()
        return Entitlement.from_row(row._mapping) if row else None

    async def get(self, entitlement_id: int) -> Entitlement | None:
        """Return the entitlement, or None."""
        row = (await self.conn.execute(sa.select(entitlements).where(_e.id == entitlement_id))).first()
        return Entitlement.from_row(row._mapping) if row else None

    async def active(self, item_id: int, user_id: int) -> Entitlement | None:
        """Return the user's active entitlement to the item, or None."""
        row = (
            await self.conn.execute(
                sa.select(entitlements).where(_e.item_id == item_id, _e.user_id == user_id, _e.status == "active")
            )
        ).first()
        return Entitlement.from_row(row._mapping) if row else None

    async def active_for(self, user_id: int) -> list[Entitlement]:
        """Return the user's active entitlements, newest first."""
        rows = await self.conn.execute(
            sa.select(entitlements).where(_e.user_id == user_id, _e.status == "active").order_by(_e.id.desc())
        )
        return [Entitlement.from_row(row._mapping) for row in rows]

    async def owned_items(self, user_id: int, item_ids: list[int]) -> set[int]:
        """Return which of item_ids the user holds."""
        if not item_ids:
            return set()
        rows = await self.conn.execute(
            sa.select(_e.item_id).where(_e.user_id == user_id, _e.status == "active", _e.item_id.in_(item_ids))
        )
        return set(rows.scalars())

    async def count_active(self, user_id: int, community_id: int | None = None) -> int:
        """Count the items the user holds (in one community, or in all)."""
        stmt = sa.select(sa.func.count()).where(_e.user_id == user_id, _e.status == "active")
        if community_id is not None:
            stmt = stmt.where(_e.community_id == community_id)
        return int(await self.conn.scalar(stmt) or 0)

    async def revoke_for_payment(self, payment_id: int, now: dt.datetime) -> Entitlement | None:
        """Revoke the active entitlement a payment granted; return it (None if none)."""
        row = (
            await self.conn.execute(
                sa.update(entitlements)
                .where(_e.payment_id == payment_id, _e.status == "active")
                .values(status="revoked", revoked_at=now)
                .returning(*entitlements.c)
            )
        ).first()
        return Entitlement.from_row(row._mapping) if row else None

    async def pending_delivery(self, limit: int = 100) -> list[Entitlement]:
        """Return active entitlements whose content has not been delivered, oldest first."""
        rows = await self.conn.execute(
            sa.select(entitlements)
            .where(_e.delivery == "pending", _e.status == "active")
            .order_by(_e.id)
            .limit(limit)
        )
        return [Entitlement.from_row(row._mapping) for row in rows]

    async def mark_delivered(self, entitlement_id: int, now: dt.datetime) -> bool:
        """Record the delivery; False when it was already recorded."""
        result = await self.conn.execute(
            sa.update(entitlements)
            .where(_e.id == entitlement_id, _e.delivery == "pending")
            .values(delivery="delivered", delivered_at=now, delivery_attempts=_e.delivery_attempts + 1)
        )
        return result.rowcount == 1

    async def mark_attempt_failed(self, entitlement_id: int, error: str, give_up: bool) -> None:
        """Record a failed delivery attempt; give_up stops the retries."""
        values: dict[str, object] = {
            "delivery_attempts": _e.delivery_attempts + 1,
            "delivery_error": error[:MAX_ERROR_CHARS],
        }
        if give_up:
            values["delivery"] = "failed"
        await self.conn.execute(
            sa.update(entitlements).where(_e.id == entitlement_id, _e.delivery == "pending").values(**values)
        )

    async def list_all(self) -> list[Entitlement]:
        """Return every entitlement, revoked ones included, oldest first (exports and consistency checks)."""
        rows = await self.conn.execute(sa.select(entitlements).order_by(_e.id))
        return [Entitlement.from_row(row._mapping) for row in rows]
