"""Broadcasts: an admin's message to every member, drafted, then sent through the outbox (or cancelled).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the types as of this revision.
TIMESTAMP = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the broadcasts table."""
    op.create_table(
        "broadcasts",
        sa.Column("id", ID, nullable=False, autoincrement=True),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("admin_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name="fk_broadcasts_community_id_communities",
            ondelete="CASCADE", onupdate="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_broadcasts"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_broadcasts_status", "broadcasts", ["status"])


def downgrade() -> None:
    """Drop the broadcasts table."""
    op.drop_index("ix_broadcasts_status", table_name="broadcasts")
    op.drop_table("broadcasts")
