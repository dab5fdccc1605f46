"""Stars payments: one row per Telegram charge, refunds, and revenue figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models_content import PaymentStatus, StarPayment
from storage.schema import content_items, entitlements, star_payments
from storage.sql import insert

_p = star_payments.c


@dataclass(frozen=True)
class Revenue:
    """A community's Stars income (refunded payments excluded)."""

    stars_30d: int
    stars_total: int
    purchases: int
    buyers: int
    refunds: int
    stars_refunded: int
    points_unlocks: int
    top_items: list[tuple[int, str, int, int]]  # item id, title, Stars, sales
    recent: list[StarPayment]


class PaymentsRepo:
    """Read and write star_payments."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, now: dt.datetime, **values: Any) -> StarPayment | None:
        """Record a charge; None (and nothing changes) when its charge id is already recorded."""
        result = await self.conn.execute(
            insert(self.conn, star_payments)
            .values(created_at=now, **values)
            .on_conflict_do_nothing(index_elements=[_p.charge_id])
            .returning(*star_payments.c)
        )
        row = result.first()
        return StarPayment.from_row(row._mapping) if row else None

    async def get(self, payment_id: int) -> StarPayment | None:
        """Return the payment, or None."""
        row = (await self.conn.execute(sa.select(star_payments).where(_p.id == payment_id))).first()
        return StarPayment.from_row(row._mapping) if row else None

    async def by_charge(self, charge_id: str) -> StarPayment | None:
        """Return the payment with this Telegram charge id, or None."""
        row = (await self.conn.execute(sa.select(star_payments).where(_p.charge_id == charge_id))).first()
        return StarPayment.from_row(row._mapping) if row else None

    async def move(self, payment_id: int, old: tuple[PaymentStatus, ...], new: PaymentStatus, **values: Any) -> bool:
        """Change the status from one of old to new; False when it was in none of them."""
        result = await self.conn.execute(
            sa.update(star_payments).where(_p.id == payment_id, _p.status.in_(old)).values(status=new, **values)
        )
        return result.rowcount == 1

    async def take_rewards(self, payment_id: int) -> bool:
        """Clear a standing payment's pending rewards; True for the one caller that may now give them."""
        result = await self.conn.execute(
            sa.update(star_payments)
            .where(_p.id == payment_id, _p.rewards_pending, _p.status == "paid")
            .values(rewards_pending=False)
        )
        return result.rowcount == 1

    async def rewards_pending(self, limit: int = 100) -> list[StarPayment]:
        """Return standing payments whose rewards were not given yet, oldest first."""
        rows = await self.conn.execute(
            sa.select(star_payments).where(_p.rewards_pending, _p.status == "paid").order_by(_p.id).limit(limit)
        )
        return [StarPayment.from_row(row._mapping) for row in rows]

    async def with_status(self, statuses: tuple[PaymentStatus, ...], limit: int = 100) -> list[StarPayment]:
        """Return payments in these statuses, oldest first."""
        rows = await self.conn.execute(
            sa.select(star_payments).where(_p.status.in_(statuses)).order_by(_p.id).limit(limit)
        )
        return [StarPayment.from_row(row._mapping) for row in rows]

    async def latest_plan_expiry(self, community_id: int, user_id: int) -> dt.datetime | None:
        """Return the latest subscription expiry among the user's unrefunded plan payments."""
        return await self.conn.scalar(
            sa.select(sa.func.max(_p.subscription_expires_at)).where(
                _p.community_id == community_id, _p.user_id == user_id, _p.kind == "plan", _p.status == "paid"
            )
        )

    async def count_paid_by(self, community_id: int, user_id: int) -> int:
        """Count the user's payments in the community, refunded ones included."""
        count = await self.conn.scalar(
            sa.select(sa.func.count()).where(_p.community_id == community_id, _p.user_id == user_id)
        )
        return int(count or 0)

    async def count_standing(self, community_id: int, user_id: int) -> int:
        """Count the user's payments in the community that stand (paid, not refunded or due a refund)."""
        count = await self.conn.scalar(
            sa.select(sa.func.count())
            .select_from(star_payments)
            .where(_p.community_id == community_id, _p.user_id == user_id, _p.status == "paid")
        )
        return int(count or 0)

    async def revenue(self, community_id: int, since: dt.datetime, top: int = 5, recent: int = 5) -> Revenue:
        """Return the community's Stars figures."""
        paid = sa.and_(_p.community_id == community_id, _p.status == "paid")
        totals = (
            await self.conn.execute(
                sa.select(
                    sa.func.coalesce(sa.func.sum(sa.case((_p.created_at >= since, _p.amount), else_=0)), 0),
                    sa.func.coalesce(sa.func.sum(_p.amount), 0),
                    sa.func.count(),
                    sa.func.count(sa.distinct(_p.user_id)),
                ).where(paid)
            )
        ).one()
        refunded = (
            await self.conn.execute(
                sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(_p.amount), 0)).where(
                    _p.community_id == community_id, _p.status == "refunded"
                )
            )
        ).one()
        points_unlocks = await self.conn.scalar(
            sa.select(sa.func.count()).where(
                entitlements.c.community_id == community_id,
                entitlements.c.source == "points",
                entitlements.c.status == "active",
            )
        )
        stars = sa.func.sum(_p.amount)
        top_rows = await self.conn.execute(
            sa.select(content_items.c.id, content_items.c.title, stars, sa.func.count())
            .join(content_items, content_items.c.id == _p.item_id)
            .where(paid, _p.kind == "item")
            .group_by(content_items.c.id, content_items.c.title)
            .order_by(stars.desc(), content_items.c.id)
            .limit(top)
        )
        recent_rows = await self.conn.execute(
            sa.select(star_payments)
            .where(_p.community_id == community_id)
            .order_by(_p.created_at.desc(), _p.id.desc())
            .limit(recent)
        )
        return Revenue(
            stars_30d=int(totals[0]),
            stars_total=int(totals[1]),
            purchases=int(totals[2]),
            buyers=int(totals[3]),
            refunds=int(refunded[0]),
            stars_refunded=int(refunded[1]),
            points_unlocks=int(points_unlocks or 0),
            top_items=[(int(i), str(t), int(s), int(n)) for i, t, s, n in top_rows],
            recent=[StarPayment.from_row(row._mapping) for row in recent_rows],
        )

    async def list_all(self) -> list[StarPayment]:
        """Return every recorded payment, oldest first (exports and consistency checks, not hot paths)."""
        rows = await self.conn.execute(sa.select(star_payments).order_by(_p.id))
        return [StarPayment.from_row(row._mapping) for row in rows]
