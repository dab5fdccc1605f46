"""Paid content and memberships: items, plans, orders, Stars payments, entitlements, ratings.

Revision ID: 0005
Revises: 0004
Create Date: 2026-01-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the types as of this revision.
BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
ACTIVE = sa.text("status = 'active'")


def _community_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["community_id"],
        ["communities.id"],
        name=f"fk_{table}_community_id_communities",
        ondelete="CASCADE",
        onupdate="CASCADE",
    )


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=f"fk_{table}_user_id_users", ondelete="CASCADE", onupdate="CASCADE"
    )


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    """Create the paid-content tables."""
    op.create_table(
        "content_items",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("creator_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("file_id", sa.Text(), nullable=True),
        sa.Column("storage_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("storage_message_id", sa.BigInteger(), nullable=True),
        sa.Column("price_stars", sa.Integer(), nullable=True),
        sa.Column("price_points", sa.Integer(), nullable=True),
        sa.Column("min_level", sa.Integer(), nullable=True),
        sa.Column("members_only", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("status", sa.String(16), server_default="published", nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        _community_fk("content_items"),
        sa.PrimaryKeyConstraint("id", name="pk_content_items"),
    )
    op.create_index("ix_content_items_community_id_status", "content_items", ["community_id", "status"])
    op.create_table(
        "plans",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("price_stars", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), server_default="active", nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        _community_fk("plans"),
        sa.PrimaryKeyConstraint("id", name="pk_plans"),
    )
    op.create_index("ix_plans_community_id_status", "plans", ["community_id", "status"])
    op.create_table(
        "orders",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=True),
        sa.Column("plan_id", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), server_default="pending", nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("paid_at", TIMESTAMP, nullable=True),
        _community_fk("orders"),
        _user_fk("orders"),
        _fk("orders", "item_id", "content_items"),
        _fk("orders", "plan_id", "plans"),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
    )
    op.create_index("ix_orders_user_id_status", "orders", ["user_id", "status"])
    op.create_table(
        "star_payments",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("charge_id", sa.Text(), nullable=False),
        sa.Column("provider_charge_id", sa.Text(), nullable=True),
        sa.Column("community_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=True),
        sa.Column("plan_id", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("subscription_expires_at", TIMESTAMP, nullable=True),
        sa.Column("is_first_recurring", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("points_awarded", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("status", sa.String(16), server_default="paid", nullable=False),
        sa.Column("refund_reason", sa.String(32), nullable=True),
        sa.Column("refunded_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("refunded_at", TIMESTAMP, nullable=True),
        _community_fk("star_payments"),
        _user_fk("star_payments"),
        _fk("star_payments", "order_id", "orders"),
        sa.PrimaryKeyConstraint("id", name="pk_star_payments"),
        sa.UniqueConstraint("charge_id", name="uq_star_payments_charge_id"),
    )
    op.create_index(
        "ix_star_payments_community_id_created_at", "star_payments", ["community_id", "created_at"]
    )
    op.create_index("ix_star_payments_status", "star_payments", ["status"])
    op.create_table(
        "entitlements",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("payment_id", sa.BigInteger(), nullable=True),
        sa.Column("points_spent", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), server_default="active", nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.Column("delivery", sa.String(16), server_default="pending", nullable=False),
        sa.Column("delivered_at", TIMESTAMP, nullable=True),
        sa.Column("delivery_attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("delivery_error", sa.Text(), nullable=True),
        _community_fk("entitlements"),
        _user_fk("entitlements"),
        _fk("entitlements", "item_id", "content_items"),
        _fk("entitlements", "payment_id", "star_payments"),
        sa.PrimaryKeyConstraint("id", name="pk_entitlements"),
    )
    op.create_index("ix_entitlements_user_id_status", "entitlements", ["user_id", "status"])
    op.create_index("ix_entitlements_delivery", "entitlements", ["delivery"])
    op.create_index(
        "uq_entitlements_active",
        "entitlements",
        ["item_id", "user_id"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    op.create_table(
        "paid_memberships",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("plan_id", sa.BigInteger(), nullable=True),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        _community_fk("paid_memberships"),
        _user_fk("paid_memberships"),
        sa.PrimaryKeyConstraint("community_id", "user_id", name="pk_paid_memberships"),
    )
    op.create_table(
        "content_ratings",
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        _community_fk("content_ratings"),
        _user_fk("content_ratings"),
        _fk("content_ratings", "item_id", "content_items"),
        sa.PrimaryKeyConstraint("item_id", "user_id", name="pk_content_ratings"),
    )
    op.create_table(
        "content_opens",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _community_fk("content_opens"),
        _user_fk("content_opens"),
        _fk("content_opens", "item_id", "content_items"),
        sa.PrimaryKeyConstraint("id", name="pk_content_opens"),
    )
    op.create_index("ix_content_opens_item_id", "content_opens", ["item_id"])


def downgrade() -> None:
    """Drop the paid-content tables."""
    op.drop_index("ix_content_opens_item_id", table_name="content_opens")
    op.drop_table("content_opens")
    op.drop_table("content_ratings")
    op.drop_table("paid_memberships")
    op.drop_index("uq_entitlements_active", table_name="entitlements")
    op.drop_index("ix_entitlements_delivery", table_name="entitlements")
    op.drop_index("ix_entitlements_user_id_status", table_name="entitlements")
    op.drop_table("entitlements")
    op.drop_index("ix_star_payments_status", table_name="star_payments")
    op.drop_index("ix_star_payments_community_id_created_at", table_name="star_payments")
    op.drop_table("star_payments")
    op.drop_index("ix_orders_user_id_status", table_name="orders")
    op.drop_table("orders")
    op.drop_index("ix_plans_community_id_status", table_name="plans")
    op.drop_table("plans")
    op.drop_index("ix_content_items_community_id_status", table_name="content_items")
    op.drop_table("content_items")
