"""Growth: plans with a free trial, trials taken, members' invite links and the referrals they bring.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of the type as of this revision.
TIMESTAMP = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    other = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=f"fk_{table}_{column}_{other}",
                                   ondelete="CASCADE", onupdate="CASCADE")


def upgrade() -> None:
    """Add plans.trial_days and the trials, invite_links and referrals tables."""
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("trial_days", sa.Integer(), nullable=True))
    op.create_table(
        "trials",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("plan_id", sa.BigInteger(), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("ends_at", TIMESTAMP, nullable=False),
        _fk("trials", "community_id", "communities.id"),
        _fk("trials", "user_id", "users.id"),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name="fk_trials_plan_id_plans"),
        sa.PrimaryKeyConstraint("community_id", "user_id", name="pk_trials"),
    )
    op.create_table(
        "invite_links",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("creates_join_request", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _fk("invite_links", "community_id", "communities.id"),
        _fk("invite_links", "user_id", "users.id"),
        sa.PrimaryKeyConstraint("community_id", "user_id", name="pk_invite_links"),
        sa.UniqueConstraint("url", name="uq_invite_links_url"),
    )
    op.create_table(
        "referrals",
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("newcomer_id", sa.BigInteger(), nullable=False),
        sa.Column("inviter_id", sa.BigInteger(), nullable=False),
        sa.Column("joined_at", TIMESTAMP, nullable=False),
        sa.Column("onboarded_at", TIMESTAMP, nullable=True),
        sa.Column("purchased_at", TIMESTAMP, nullable=True),
        _fk("referrals", "community_id", "communities.id"),
        _fk("referrals", "newcomer_id", "users.id"),
        _fk("referrals", "inviter_id", "users.id"),
        sa.PrimaryKeyConstraint("community_id", "newcomer_id", name="pk_referrals"),
    )
    op.create_index("ix_referrals_community_id_inviter_id", "referrals", ["community_id", "inviter_id"])


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_index("ix_referrals_community_id_inviter_id", table_name="referrals")
    op.drop_table("referrals")
    op.drop_table("invite_links")
    op.drop_table("trials")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("trial_days")
