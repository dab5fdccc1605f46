"""Points: ledger, running totals, windowed leaderboards, rank histograms, message authors, badges.

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the types as of this revision.
BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
ZERO = sa.text("0")


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
    """Create the points tables."""
    op.create_table(
        "points_ledger",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("scored", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("ref", sa.String(128), nullable=True),
        sa.Column("idem_key", sa.String(200), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _community_fk("points_ledger"),
        _user_fk("points_ledger"),
        sa.PrimaryKeyConstraint("id", name="pk_points_ledger"),
        sa.UniqueConstraint("community_id", "idem_key", name="uq_points_ledger_community_id_idem_key"),
    )
    op.create_index(
        "ix_points_ledger_community_id_user_id_reason", "points_ledger", ["community_id", "user_id", "reason"]
    )
    op.create_table(
        "points_members",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("score", sa.Integer(), server_default=ZERO, nullable=False),
        sa.Column("balance", sa.Integer(), server_default=ZERO, nullable=False),
        sa.Column("level", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("streak", sa.Integer(), server_default=ZERO, nullable=False),
        sa.Column("best_streak", sa.Integer(), server_default=ZERO, nullable=False),
        sa.Column("checkin_day", sa.Integer(), nullable=True),
        sa.Column("last_message_at", TIMESTAMP, nullable=True),
        sa.Column("message_day", sa.Integer(), nullable=True),
        sa.Column("message_count", sa.Integer(), server_default=ZERO, nullable=False),
        sa.Column("given_day", sa.Integer(), nullable=True),
        sa.Column("given_count", sa.Integer(), server_default=ZERO, nullable=False),
        sa.Column("question_day", sa.Integer(), nullable=True),
        sa.Column("question_count", sa.Integer(), server_default=ZERO, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        _community_fk("points_members"),
        _user_fk("points_members"),
        sa.PrimaryKeyConstraint("community_id", "user_id", name="pk_points_members"),
    )
    op.create_index(
        "ix_points_members_board", "points_members", ["community_id", "score", "user_id"]
    )
    op.create_table(
        "points_windows",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("period", sa.SmallInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        _community_fk("points_windows"),
        _user_fk("points_windows"),
        sa.PrimaryKeyConstraint("community_id", "period", "user_id", name="pk_points_windows"),
    )
    op.create_index(
        "ix_points_windows_board",
        "points_windows",
        ["community_id", "period", "total", "user_id"],
    )
    op.create_table(
        "points_daily",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        _community_fk("points_daily"),
        _user_fk("points_daily"),
        sa.PrimaryKeyConstraint("community_id", "day", "user_id", name="pk_points_daily"),
    )
    op.create_table(
        "points_state",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("windows_day", sa.Integer(), nullable=False),
        _community_fk("points_state"),
        sa.PrimaryKeyConstraint("community_id", name="pk_points_state"),
    )
    op.create_table(
        "message_authors",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        _community_fk("message_authors"),
        _user_fk("message_authors"),
        sa.PrimaryKeyConstraint("community_id", "message_id", name="pk_message_authors"),
    )
    op.create_table(
        "badges",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("badge", sa.String(32), nullable=False),
        sa.Column("awarded_at", TIMESTAMP, nullable=False),
        _community_fk("badges"),
        _user_fk("badges"),
        sa.PrimaryKeyConstraint("community_id", "user_id", "badge", name="pk_badges"),
    )
    op.create_table(
        "points_histogram",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("period", sa.SmallInteger(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        _community_fk("points_histogram"),
        sa.PrimaryKeyConstraint("community_id", "period", "points", name="pk_points_histogram"),
    )


def downgrade() -> None:
    """Drop the points tables."""
    op.drop_table("points_histogram")
    op.drop_table("badges")
    op.drop_table("message_authors")
    op.drop_table("points_state")
    op.drop_table("points_daily")
    op.drop_index("ix_points_windows_board", table_name="points_windows")
    op.drop_table("points_windows")
    op.drop_index("ix_points_members_board", table_name="points_members")
    op.drop_table("points_members")
    op.drop_index("ix_points_ledger_community_id_user_id_reason", table_name="points_ledger")
    op.drop_table("points_ledger")
