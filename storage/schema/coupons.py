"""Coupons: discount codes admins hand out, and the orders that carry one."""

from __future__ import annotations

import sqlalchemy as sa

from storage.schema.base import community_fk, metadata, user_fk
from storage.schema.content import star_payments
from storage.types import BigIntId, UtcDateTime

coupons = sa.Table(
    "coupons",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("code", sa.String(32), nullable=False),  # upper case; members type it in any case
    sa.Column("percent", sa.Integer, nullable=True),  # percent off, or …
    sa.Column("stars_off", sa.Integer, nullable=True),  # … Stars off
    sa.Column("max_uses", sa.Integer, nullable=True),  # None: no limit
    sa.Column("uses", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("valid_until", UtcDateTime, nullable=True),  # the end of the last valid day, UTC
    sa.Column("item_id", sa.BigInteger, sa.ForeignKey("content_items.id"), nullable=True),
    sa.Column("plan_id", sa.BigInteger, sa.ForeignKey("plans.id"), nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("created_by", sa.BigInteger, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    # One live coupon per code in a community; a deleted code can be added again.
    sa.Index(
        "uq_coupons_active_code",
        "community_id",
        "code",
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    ),
)

# One row per order made with a coupon: pending until the order is paid, then used. The
# partial UNIQUE index is what makes "each member uses a code once" hold whatever races.
coupon_redemptions = sa.Table(
    "coupon_redemptions",
    metadata,
    sa.Column("order_id", sa.BigInteger, sa.ForeignKey("orders.id"), primary_key=True, autoincrement=False),
    sa.Column("coupon_id", sa.BigInteger, sa.ForeignKey("coupons.id"), nullable=False),
    sa.Column("user_id", sa.BigInteger, user_fk(), nullable=False),
    sa.Column("list_price", sa.Integer, nullable=False),  # the price before the discount
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("payment_id", sa.BigInteger, sa.ForeignKey("star_payments.id"), nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("used_at", UtcDateTime, nullable=True),
    sa.Index(
        "uq_coupon_redemptions_used",
        "coupon_id",
        "user_id",
        unique=True,
        sqlite_where=sa.text("status = 'used'"),
        postgresql_where=sa.text("status = 'used'"),
    ),
)

# The refund window lists a buyer's recent payments on every /mycontent: an index for that,
# declared with the migration that adds it (0013).
sa.Index("ix_star_payments_user_id_created_at", star_payments.c.user_id, star_payments.c.created_at)
