"""Paid content and memberships: items, orders, Stars payments, entitlements, plans."""

from __future__ import annotations

import sqlalchemy as sa

from storage.schema.base import community_fk, metadata, user_fk
from storage.types import BigIntId, UtcDateTime

# An item is kept so it can be delivered later: a copy in the storage chat and/or the file_id
# (or the HTML text). Payments are keyed by Telegram's charge id, so a duplicated
# successful_payment can never be recorded twice.

content_items = sa.Table(
    "content_items",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("creator_id", sa.BigInteger, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("body_html", sa.Text, nullable=True),
    sa.Column("file_id", sa.Text, nullable=True),
    sa.Column("storage_chat_id", sa.BigInteger, nullable=True),
    sa.Column("storage_message_id", sa.BigInteger, nullable=True),
    # None: not for sale that way. Free items have neither price nor a level/members rule.
    sa.Column("price_stars", sa.Integer, nullable=True),
    sa.Column("price_points", sa.Integer, nullable=True),
    sa.Column("min_level", sa.Integer, nullable=True),
    sa.Column("members_only", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("status", sa.String(16), nullable=False, server_default="published"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Index("ix_content_items_community_id_status", "community_id", "status"),
)

plans = sa.Table(
    "plans",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("price_stars", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("trial_days", sa.Integer, nullable=True),  # a free trial members may start once
    sa.Index("ix_plans_community_id_status", "community_id", "status"),
)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("user_id", sa.BigInteger, user_fk(), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("item_id", sa.BigInteger, sa.ForeignKey("content_items.id"), nullable=True),
    sa.Column("plan_id", sa.BigInteger, sa.ForeignKey("plans.id"), nullable=True),
    sa.Column("currency", sa.String(8), nullable=False),
    sa.Column("amount", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("paid_at", UtcDateTime, nullable=True),
    sa.Index("ix_orders_user_id_status", "user_id", "status"),
)

star_payments = sa.Table(
    "star_payments",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("charge_id", sa.Text, nullable=False, unique=True),
    sa.Column("provider_charge_id", sa.Text, nullable=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=True),
    sa.Column("user_id", sa.BigInteger, user_fk(), nullable=False),
    sa.Column("order_id", sa.BigInteger, sa.ForeignKey("orders.id"), nullable=True),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("item_id", sa.BigInteger, nullable=True),
    sa.Column("plan_id", sa.BigInteger, nullable=True),
    sa.Column("currency", sa.String(8), nullable=False),
    sa.Column("amount", sa.Integer, nullable=False),
    sa.Column("subscription_expires_at", UtcDateTime, nullable=True),
    sa.Column("is_first_recurring", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("points_awarded", sa.Integer, nullable=False, server_default=sa.text("0")),
    # The buyer's points, badge and the inviter's reward are given after the delivery: true until then.
    sa.Column("rewards_pending", sa.Boolean, nullable=False, server_default=sa.false()),
    # paid | refund_due (grants nothing: refunded automatically) | refunding | refunded
    sa.Column("status", sa.String(16), nullable=False, server_default="paid"),
    sa.Column("refund_reason", sa.String(32), nullable=True),
    sa.Column("refunded_by", sa.BigInteger, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("refunded_at", UtcDateTime, nullable=True),
    sa.Index("ix_star_payments_community_id_created_at", "community_id", "created_at"),
    sa.Index("ix_star_payments_status", "status"),
    sa.Index(
        "ix_star_payments_rewards_pending",
        "id",
        sqlite_where=sa.text("rewards_pending"),
        postgresql_where=sa.text("rewards_pending"),
    ),
)

entitlements = sa.Table(
    "entitlements",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("item_id", sa.BigInteger, sa.ForeignKey("content_items.id"), nullable=False),
    sa.Column("user_id", sa.BigInteger, user_fk(), nullable=False),
    sa.Column("source", sa.String(8), nullable=False),
    sa.Column("payment_id", sa.BigInteger, sa.ForeignKey("star_payments.id"), nullable=True),
    sa.Column("points_spent", sa.Integer, nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("revoked_at", UtcDateTime, nullable=True),
    # pending until the content reached the buyer's private chat; the start-up repair pass
    # delivers whatever is still pending.
    sa.Column("delivery", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("delivered_at", UtcDateTime, nullable=True),
    sa.Column("delivery_attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("delivery_error", sa.Text, nullable=True),
    sa.Index("ix_entitlements_user_id_status", "user_id", "status"),
    sa.Index("ix_entitlements_delivery", "delivery"),
    # At most one active entitlement per buyer and item, whatever raced to create it.
    sa.Index(
        "uq_entitlements_active",
        "item_id",
        "user_id",
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    ),
)

paid_memberships = sa.Table(
    "paid_memberships",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    sa.Column("user_id", sa.BigInteger, user_fk(), primary_key=True),
    sa.Column("plan_id", sa.BigInteger, nullable=True),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # "on" while Telegram renews it; "canceled" / "failed" from the subscription update; "off": never recurring.
    sa.Column("renewal", sa.String(16), nullable=False, server_default="on"),
    # Where a plan is needed to join: "removing" → "removed" after the grace period ("kept": the bot may not).
    sa.Column("lapse", sa.String(16), nullable=True),
    sa.Column("lapsed_at", UtcDateTime, nullable=True),
    sa.Index("ix_paid_memberships_community_id_expires_at", "community_id", "expires_at"),
)

content_ratings = sa.Table(
    "content_ratings",
    metadata,
    sa.Column("item_id", sa.BigInteger, sa.ForeignKey("content_items.id"), primary_key=True),
    sa.Column("user_id", sa.BigInteger, user_fk(), primary_key=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("rating", sa.SmallInteger, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

content_opens = sa.Table(
    "content_opens",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("item_id", sa.BigInteger, sa.ForeignKey("content_items.id"), nullable=False),
    sa.Column("user_id", sa.BigInteger, user_fk(), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_content_opens_item_id", "item_id"),
    sa.Index("ix_content_opens_community_id_created_at", "community_id", "created_at"),
)
