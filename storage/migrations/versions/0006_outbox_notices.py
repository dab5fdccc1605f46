"""Outbox rows say what to say (notice kind and parameters) and are claimed before sending.

Rows queued by earlier versions hold a rendered sendMessage payload; they become notices of
the kind `prerendered` (sent as they are), so nothing queued before the upgrade is lost.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Replace method/payload with kind/params; add community_id and the claim columns."""
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("community_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("kind", sa.String(64), nullable=True))
        batch.add_column(sa.Column("params", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("claimed_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("claimed_until", TIMESTAMP, nullable=True))
    op.execute("UPDATE outbox SET kind = 'prerendered', params = payload")
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("kind", existing_type=sa.String(64), nullable=False)
        batch.alter_column("params", existing_type=sa.JSON(), nullable=False)
        batch.drop_column("method")
        batch.drop_column("payload")


def downgrade() -> None:
    """Back to rendered payloads; notices not yet sent are dropped (they have no payload)."""
    op.execute("DELETE FROM outbox WHERE kind <> 'prerendered' AND status <> 'sent'")
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("method", sa.String(64), nullable=True))
        batch.add_column(sa.Column("payload", sa.JSON(), nullable=True))
    op.execute("UPDATE outbox SET method = 'sendMessage', payload = params")
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("method", existing_type=sa.String(64), nullable=False)
        batch.alter_column("payload", existing_type=sa.JSON(), nullable=False)
        for column in ("claimed_until", "claimed_by", "params", "kind", "community_id"):
            batch.drop_column(column)
