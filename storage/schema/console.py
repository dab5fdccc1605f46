"""The creator's console: broadcasts an admin drafted, sent or cancelled."""

from __future__ import annotations

import sqlalchemy as sa

from storage.schema.base import community_fk, metadata
from storage.types import BigIntId, UtcDateTime

broadcasts = sa.Table(
    "broadcasts",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("admin_id", sa.BigInteger, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # draft | sending | done | cancelled
    sa.Column("recipients", sa.Integer, nullable=False, server_default=sa.text("0")),
    # The admin's preview message, edited with the progress while it goes out.
    sa.Column("chat_id", sa.BigInteger, nullable=True),
    sa.Column("message_id", sa.BigInteger, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Index("ix_broadcasts_status", "status"),
    sqlite_autoincrement=True,
)
