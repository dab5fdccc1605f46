"""What the self-service refund window reads: a buyer's recent payments and their own refunds."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models_content import StarPayment
from storage.schema import star_payments

_p = star_payments.c
SELF = "self"  # star_payments.refund_reason of a refund the buyer asked for
_TAKEN = ("refunding", "refunded")


class SelfRefundsRepo:
    """Read star_payments for the refund window (writes go through PaymentsRepo.move)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def paid_since(self, user_id: int, since: dt.datetime) -> list[StarPayment]:
        """Return the user's standing payments made since a time, newest first."""
        rows = await self.conn.execute(
            sa.select(star_payments)
            .where(_p.user_id == user_id, _p.status == "paid", _p.created_at >= since, _p.community_id.is_not(None))
            .order_by(_p.created_at.desc(), _p.id.desc())
        )
        return [StarPayment.from_row(row._mapping) for row in rows]

    async def count_since(self, community_id: int, user_id: int, since: dt.datetime) -> int:
        """Count the refunds the user asked for in the community since a time (running ones included)."""
        count = await self.conn.scalar(
            sa.select(sa.func.count()).where(
                _p.community_id == community_id, _p.user_id == user_id, _p.refund_reason == SELF,
                _p.status.in_(_TAKEN), sa.or_(_p.refunded_at.is_(None), _p.refunded_at >= since),
            )
        )
        return int(count or 0)

    async def refunded_item(self, user_id: int, item_id: int) -> bool:
        """Tell whether the user has had this item refunded on their own request before."""
        found = await self.conn.scalar(
            sa.select(_p.id).where(
                _p.user_id == user_id, _p.item_id == item_id, _p.kind == "item", _p.refund_reason == SELF,
                _p.status.in_(_TAKEN),
            ).limit(1)
        )
        return found is not None

    async def latest_plan_payment(self, community_id: int, user_id: int) -> StarPayment | None:
        """Return the user's latest standing plan payment in the community (the period running last)."""
        row = (
            await self.conn.execute(
                sa.select(star_payments)
                .where(_p.community_id == community_id, _p.user_id == user_id, _p.kind == "plan", _p.status == "paid")
                .order_by(_p.created_at.desc(), _p.id.desc())
                .limit(1)
            )
        ).first()
        return StarPayment.from_row(row._mapping) if row else None
