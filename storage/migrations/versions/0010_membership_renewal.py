"""Paid memberships know whether they renew and whether a lapse removed the member.

`renewal`: "on" while Telegram renews the subscription, "canceled" or "failed" after the
`subscription` update says so, "off" for a membership that was never recurring. `lapse`:
"removing" while the member of a community that needs a plan is being removed after the
grace period, then "removed"; "kept" when the bot may not remove them. A renewal clears it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of the type as of this revision.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add renewal, lapse and lapsed_at to paid_memberships, and an index for expiry sweeps."""
    with op.batch_alter_table("paid_memberships") as batch:
        batch.add_column(sa.Column("renewal", sa.String(16), nullable=False, server_default="on"))
        batch.add_column(sa.Column("lapse", sa.String(16), nullable=True))
        batch.add_column(sa.Column("lapsed_at", TIMESTAMP, nullable=True))
    op.create_index("ix_paid_memberships_community_id_expires_at", "paid_memberships", ["community_id", "expires_at"])


def downgrade() -> None:
    """Drop the columns and the index."""
    op.drop_index("ix_paid_memberships_community_id_expires_at", table_name="paid_memberships")
    with op.batch_alter_table("paid_memberships") as batch:
        batch.drop_column("lapsed_at")
        batch.drop_column("lapse")
        batch.drop_column("renewal")
