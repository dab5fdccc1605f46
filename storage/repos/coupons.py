"""Coupons and coupon_redemptions: codes, the orders made with them, and their uses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models_coupons import Coupon, CouponRedemption
from storage.schema import coupon_redemptions, coupons
from storage.sql import insert

_c = coupons.c
_r = coupon_redemptions.c


class CouponsRepo:
    """Read and write coupons and coupon_redemptions."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(
        self, community_id: int, code: str, now: dt.datetime, created_by: int, **values: Any
    ) -> Coupon | None:
        """Create an active coupon; None when the community has a live one with this code (added meanwhile)."""
        row = (
            await self.conn.execute(
                insert(self.conn, coupons)
                .values(community_id=community_id, code=code, uses=0, status="active", created_by=created_by,
                        created_at=now, **values)
                # The partial index's own predicate, as text: a bound 'active' does not match it on PostgreSQL.
                .on_conflict_do_nothing(
                    index_elements=[_c.community_id, _c.code], index_where=sa.text("status = 'active'")
                )
                .returning(*coupons.c)
            )
        ).first()
        return Coupon.from_row(row._mapping) if row else None

    async def get(self, coupon_id: int) -> Coupon | None:
        """Return the coupon, or None."""
        row = (await self.conn.execute(sa.select(coupons).where(_c.id == coupon_id))).first()
        return Coupon.from_row(row._mapping) if row else None

    async def find_active(self, community_id: int, code: str) -> Coupon | None:
        """Return the community's live coupon with this (upper-case) code, or None."""
        row = (
            await self.conn.execute(
                sa.select(coupons).where(_c.community_id == community_id, _c.code == code, _c.status == "active")
            )
        ).first()
        return Coupon.from_row(row._mapping) if row else None

    async def active(self, community_id: int) -> list[Coupon]:
        """Return the community's live coupons, by code."""
        rows = await self.conn.execute(
            sa.select(coupons).where(_c.community_id == community_id, _c.status == "active").order_by(_c.code)
        )
        return [Coupon.from_row(row._mapping) for row in rows]

    async def delete(self, coupon_id: int) -> bool:
        """Retire a live coupon; False when it was not live."""
        result = await self.conn.execute(
            sa.update(coupons).where(_c.id == coupon_id, _c.status == "active").values(status="deleted")
        )
        return result.rowcount == 1

    async def lock(self, coupon_id: int) -> Coupon | None:
        """Return the coupon and hold its row until commit (PostgreSQL), so its uses are counted one at a time."""
        row = (await self.conn.execute(sa.select(coupons).where(_c.id == coupon_id).with_for_update())).first()
        return Coupon.from_row(row._mapping) if row else None

    async def count_use(self, coupon_id: int) -> bool:
        """Count one use unless the coupon is used up; False when it is."""
        result = await self.conn.execute(
            sa.update(coupons)
            .where(_c.id == coupon_id, sa.or_(_c.max_uses.is_(None), _c.uses < _c.max_uses))
            .values(uses=_c.uses + 1)
        )
        return result.rowcount == 1

    # --- orders made with a coupon ---------------------------------------------------------

    async def attach(self, order_id: int, coupon_id: int, user_id: int, list_price: int, now: dt.datetime) -> None:
        """Record that an order was made with a coupon (pending until paid)."""
        await self.conn.execute(
            sa.insert(coupon_redemptions).values(
                order_id=order_id, coupon_id=coupon_id, user_id=user_id, list_price=list_price, status="pending",
                created_at=now,
            )
        )

    async def redemption(self, order_id: int) -> CouponRedemption | None:
        """Return the coupon an order was made with, or None."""
        row = (await self.conn.execute(sa.select(coupon_redemptions).where(_r.order_id == order_id))).first()
        return CouponRedemption.from_row(row._mapping) if row else None

    async def used_by(self, coupon_id: int, user_id: int) -> bool:
        """Tell whether the user has paid an order with this coupon."""
        found = await self.conn.scalar(
            sa.select(_r.order_id).where(_r.coupon_id == coupon_id, _r.user_id == user_id, _r.status == "used")
        )
        return found is not None

    async def mark_used(self, order_id: int, payment_id: int, now: dt.datetime) -> bool:
        """Mark an order's coupon used by this payment; False when it was used already."""
        result = await self.conn.execute(
            sa.update(coupon_redemptions)
            .where(_r.order_id == order_id, _r.status == "pending")
            .values(status="used", payment_id=payment_id, used_at=now)
        )
        return result.rowcount == 1
