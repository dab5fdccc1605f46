"""Orders: the invoices the bot issued, pending until paid."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models_content import Order, OrderKind
from storage.schema import orders

_o = orders.c


class OrdersRepo:
    """Read and write the orders table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(
        self,
        community_id: int,
        user_id: int,
        kind: OrderKind,
        amount: int,
        now: dt.datetime,
        expires_at: dt.datetime,
        *,
        item_id: int | None = None,
        plan_id: int | None = None,
        currency: str = "XTR",
    ) -> Order:
        """Create a pending order; return it."""
        row = (
            await self.conn.execute(
                sa.insert(orders)
                .values(
                    community_id=community_id,
                    user_id=user_id,
                    kind=kind,
                    item_id=item_id,
                    plan_id=plan_id,
                    currency=currency,
                    amount=amount,
                    status="pending",
                    created_at=now,
                    expires_at=expires_at,
                )
                .returning(*orders.c)
            )
        ).one()
        return Order.from_row(row._mapping)

    async def get(self, order_id: int) -> Order | None:
        """Return the order, or None."""
        row = (await self.conn.execute(sa.select(orders).where(_o.id == order_id))).first()
        return Order.from_row(row._mapping) if row else None

    async def mark_paid(self, order_id: int, now: dt.datetime) -> bool:
        """Mark a pending order paid; False when it was paid already."""
        result = await self.conn.execute(
            sa.update(orders).where(_o.id == order_id, _o.status == "pending").values(status="paid", paid_at=now)
        )
        return result.rowcount == 1
