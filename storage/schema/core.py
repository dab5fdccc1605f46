"""Communities, users, memberships, community and member settings, the admin audit log and the outbox."""

from __future__ import annotations

import sqlalchemy as sa

from storage.schema.base import community_fk, metadata, user_fk
from storage.types import BigIntId, UtcDateTime

communities = sa.Table(
    "communities",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("username", sa.Text, nullable=True),
    sa.Column("chat_type", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("language", sa.String(8), nullable=False, server_default="en"),
    sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("first_name", sa.Text, nullable=False),
    sa.Column("last_name", sa.Text, nullable=True),
    sa.Column("username", sa.Text, nullable=True),
    sa.Column("language_code", sa.String(16), nullable=True),
    sa.Column("is_bot", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("started_at", UtcDateTime, nullable=True),
    sa.Column("blocked_at", UtcDateTime, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

memberships = sa.Table(
    "memberships",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    sa.Column("user_id", sa.BigInteger, user_fk(), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("joined_at", UtcDateTime, nullable=False),
    sa.Column("left_at", UtcDateTime, nullable=True),
    sa.Column("language", sa.String(8), nullable=True),
    sa.Index("ix_memberships_user_id", "user_id"),
)

community_settings = sa.Table(
    "community_settings",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.JSON, nullable=True),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("updated_by", sa.BigInteger, nullable=True),
)

# A member's own preferences (e.g. the language of private messages), one row per key;
# a missing row means the built-in behaviour.
user_settings = sa.Table(
    "user_settings",
    metadata,
    sa.Column("user_id", sa.BigInteger, user_fk(), primary_key=True),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.JSON, nullable=True),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

admin_audit = sa.Table(
    "admin_audit",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("actor_id", sa.BigInteger, nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target_user_id", sa.BigInteger, nullable=True),
    sa.Column("details", sa.JSON, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_admin_audit_community_id_created_at", "community_id", "created_at"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("dedupe_key", sa.Text, nullable=False, unique=True),
    sa.Column("chat_id", sa.BigInteger, nullable=False),
    # The community the notice is about: its language is the fallback for private chats.
    sa.Column("community_id", sa.BigInteger, nullable=True),
    # What to say: a notice kind and its parameters, rendered in the recipient's language at send time.
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("not_before", UtcDateTime, nullable=True),
    sa.Column("sent_at", UtcDateTime, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    # A sender claims a row in the database before sending it; the claim lapses at claimed_until.
    sa.Column("claimed_by", sa.String(64), nullable=True),
    sa.Column("claimed_until", UtcDateTime, nullable=True),
    sa.Index("ix_outbox_status_not_before", "status", "not_before"),
    sa.Index("ix_outbox_community_id_kind_created_at", "community_id", "kind", "created_at"),
)
