"""Onboarding: per-member onboarding state with gates, and pending group welcomes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-01-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
# The head when this revision was written (revisions landed out of number order).
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the types as of this revision.
BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)


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


def upgrade() -> None:
    """Create the onboarding and pending_welcomes tables."""
    op.create_table(
        "onboarding",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.String(16), server_default="rules", nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("rules_accepted_at", TIMESTAMP, nullable=True),
        sa.Column("completed_at", TIMESTAMP, nullable=True),
        sa.Column("gate", sa.String(16), nullable=True),
        sa.Column("gate_deadline", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        _community_fk("onboarding"),
        _user_fk("onboarding"),
        sa.PrimaryKeyConstraint("community_id", "user_id", name="pk_onboarding"),
    )
    op.create_index("ix_onboarding_gate_deadline", "onboarding", ["gate_deadline"])
    op.create_table(
        "pending_welcomes",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _community_fk("pending_welcomes"),
        _user_fk("pending_welcomes"),
        sa.PrimaryKeyConstraint("id", name="pk_pending_welcomes"),
        sa.UniqueConstraint("community_id", "user_id", name="uq_pending_welcomes_community_id_user_id"),
    )


def downgrade() -> None:
    """Drop the onboarding tables."""
    op.drop_table("pending_welcomes")
    op.drop_index("ix_onboarding_gate_deadline", table_name="onboarding")
    op.drop_table("onboarding")
