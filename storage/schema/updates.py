"""Updates received by webhook: one row per update_id, so several workers handle each update once."""

from __future__ import annotations

import sqlalchemy as sa

from storage.schema.base import metadata
from storage.types import UtcDateTime

received_updates = sa.Table(
    "received_updates",
    metadata,
    sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
    # claimed: claimed_by is handling it until claimed_until (renewed while it runs); done: claimed_by handled it.
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("claimed_by", sa.String(64), nullable=True),
    sa.Column("claimed_until", UtcDateTime, nullable=True),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("done_at", UtcDateTime, nullable=True),
    sa.Index("ix_received_updates_received_at", "received_at"),
)
