"""A payment's rewards (the buyer's points and badge, the inviter's reward) follow its delivery.

`rewards_pending` is true from the payment's recording until they are given; payments
recorded before this revision were rewarded in their own transaction, so they start false.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add star_payments.rewards_pending and a partial index of the pending ones."""
    with op.batch_alter_table("star_payments") as batch:
        batch.add_column(sa.Column("rewards_pending", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index(
        "ix_star_payments_rewards_pending", "star_payments", ["id"],
        sqlite_where=sa.text("rewards_pending"), postgresql_where=sa.text("rewards_pending"),
    )


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index("ix_star_payments_rewards_pending", table_name="star_payments")
    with op.batch_alter_table("star_payments") as batch:
        batch.drop_column("rewards_pending")
