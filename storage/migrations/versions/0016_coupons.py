"""Coupons (discount codes) and the orders made with one.

`coupons`: a code per community, percent or Stars off, optional limits (uses, last day,
one item or plan). `coupon_redemptions`: one row per order that carries a coupon, pending
until the order is paid, then used; a partial UNIQUE index lets a member use a code once.
An index on star_payments (user, time) serves the self-service refund window in /mycontent.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the types as of this revision.
BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
ACTIVE = sa.text("status = 'active'")
USED = sa.text("status = 'used'")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    """Create coupons and coupon_redemptions."""
    op.create_table(
        "coupons",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=True),
        sa.Column("stars_off", sa.Integer(), nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("valid_until", TIMESTAMP, nullable=True),
        sa.Column("item_id", sa.BigInteger(), nullable=True),
        sa.Column("plan_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(16), server_default="active", nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name="fk_coupons_community_id_communities",
            ondelete="CASCADE", onupdate="CASCADE",
        ),
        _fk("coupons", "item_id", "content_items"),
        _fk("coupons", "plan_id", "plans"),
        sa.PrimaryKeyConstraint("id", name="pk_coupons"),
    )
    op.create_index(
        "uq_coupons_active_code", "coupons", ["community_id", "code"], unique=True,
        sqlite_where=ACTIVE, postgresql_where=ACTIVE,
    )
    op.create_table(
        "coupon_redemptions",
        sa.Column("order_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("coupon_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("list_price", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), server_default="pending", nullable=False),
        sa.Column("payment_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        _fk("coupon_redemptions", "order_id", "orders"),
        _fk("coupon_redemptions", "coupon_id", "coupons"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_coupon_redemptions_user_id_users",
            ondelete="CASCADE", onupdate="CASCADE",
        ),
        _fk("coupon_redemptions", "payment_id", "star_payments"),
        sa.PrimaryKeyConstraint("order_id", name="pk_coupon_redemptions"),
    )
    op.create_index(
        "uq_coupon_redemptions_used", "coupon_redemptions", ["coupon_id", "user_id"], unique=True,
        sqlite_where=USED, postgresql_where=USED,
    )
    op.create_index("ix_star_payments_user_id_created_at", "star_payments", ["user_id", "created_at"])


def downgrade() -> None:
    """Drop coupon_redemptions and coupons (and the refund window's index)."""
    op.drop_index("ix_star_payments_user_id_created_at", table_name="star_payments")
    op.drop_index("uq_coupon_redemptions_used", table_name="coupon_redemptions")
    op.drop_table("coupon_redemptions")
    op.drop_index("uq_coupons_active_code", table_name="coupons")
    op.drop_table("coupons")
