"""Received updates: the webhook records each update_id before handling it (several workers, one database).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of the type as of this revision.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the received_updates table."""
    op.create_table(
        "received_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", TIMESTAMP, nullable=True),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.Column("done_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("update_id", name="pk_received_updates"),
    )
    op.create_index("ix_received_updates_received_at", "received_updates", ["received_at"])


def downgrade() -> None:
    """Drop the received_updates table."""
    op.drop_index("ix_received_updates_received_at", table_name="received_updates")
    op.drop_table("received_updates")
