"""Member preferences: one row per member and key (e.g. the language of private messages).

Revision ID: 0007
Revises: 0006
Create Date: 2026-01-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of the type as of this revision.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the user_settings table."""
    op.create_table(
        "user_settings",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_user_settings_user_id_users", ondelete="CASCADE", onupdate="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "key", name="pk_user_settings"),
    )


def downgrade() -> None:
    """Drop the user_settings table."""
    op.drop_table("user_settings")
