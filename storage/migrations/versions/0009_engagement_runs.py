"""Engagement runs: which digests and boards were queued, per community and local period.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of the type as of this revision.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the engagement_runs table."""
    op.create_table(
        "engagement_runs",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("ran_at", TIMESTAMP, nullable=False),
        sa.Column("queued", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name="fk_engagement_runs_community_id_communities",
            ondelete="CASCADE", onupdate="CASCADE",
        ),
        sa.PrimaryKeyConstraint("community_id", "kind", "period", name="pk_engagement_runs"),
    )


def downgrade() -> None:
    """Drop the engagement_runs table."""
    op.drop_table("engagement_runs")
