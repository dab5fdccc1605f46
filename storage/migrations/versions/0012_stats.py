"""/stats: member_days (who wrote in the group on each local day) and indexes for period figures.

member_days is filled from message_authors, which holds the last 30 days of messages, so a
database that predates it starts with a month of activity. The indexes serve the period
counts of /stats: questions asked, content opens and digest notices since a date.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = (
    ("ix_questions_community_id_created_at", "questions", ["community_id", "created_at"]),
    ("ix_content_opens_community_id_created_at", "content_opens", ["community_id", "created_at"]),
    ("ix_outbox_community_id_kind_created_at", "outbox", ["community_id", "kind", "created_at"]),
)


def upgrade() -> None:
    """Create member_days (filled from message_authors) and the period indexes."""
    op.create_table(
        "member_days",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name="fk_member_days_community_id_communities",
            ondelete="CASCADE", onupdate="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_member_days_user_id_users", ondelete="CASCADE", onupdate="CASCADE",
        ),
        sa.PrimaryKeyConstraint("community_id", "day", "user_id", name="pk_member_days"),
    )
    op.create_index("ix_member_days_community_id_user_id_day", "member_days", ["community_id", "user_id", "day"])
    op.execute(
        "INSERT INTO member_days (community_id, day, user_id, messages) "
        "SELECT community_id, day, user_id, COUNT(*) FROM message_authors GROUP BY community_id, day, user_id"
    )
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    """Drop the indexes and member_days."""
    for name, table, _ in _INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_index("ix_member_days_community_id_user_id_day", table_name="member_days")
    op.drop_table("member_days")
