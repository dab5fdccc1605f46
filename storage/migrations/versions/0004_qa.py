"""Q&A: questions numbered per community, answers, FAQ entries.

Revision ID: 0004
Revises: 0003
Create Date: 2026-01-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
# The newest revision when this one was written; the lead re-links the chain on merge
# (0001 → 0002 points → 0003 onboarding → 0004 qa).
down_revision: str | None = "0003"
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


def _user_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=f"fk_{table}_{column}_users", ondelete="CASCADE", onupdate="CASCADE"
    )


def upgrade() -> None:
    """Create the Q&A tables."""
    op.create_table(
        "questions",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("asker_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("post_message_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(16), server_default="open", nullable=False),
        sa.Column("bounty", sa.Integer(), server_default=ZERO, nullable=False),
        sa.Column("answer_count", sa.Integer(), server_default=ZERO, nullable=False),
        sa.Column("accepted_answer_id", sa.BigInteger(), nullable=True),
        sa.Column("faq_id", sa.BigInteger(), nullable=True),
        sa.Column("offered_faq_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("closed_at", TIMESTAMP, nullable=True),
        _community_fk("questions"),
        _user_fk("questions", "asker_id"),
        sa.PrimaryKeyConstraint("id", name="pk_questions"),
        sa.UniqueConstraint("community_id", "number", name="uq_questions_community_id_number"),
        sa.UniqueConstraint("community_id", "message_id", name="uq_questions_community_id_message_id"),
    )
    op.create_index(
        "ix_questions_community_id_post_message_id", "questions", ["community_id", "post_message_id"]
    )
    op.create_index(
        "ix_questions_community_id_status_number", "questions", ["community_id", "status", "number"]
    )
    op.create_table(
        "answers",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("question_id", sa.BigInteger(), nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name="fk_answers_question_id_questions", ondelete="CASCADE"
        ),
        _community_fk("answers"),
        _user_fk("answers", "author_id"),
        sa.PrimaryKeyConstraint("id", name="pk_answers"),
        sa.UniqueConstraint("community_id", "message_id", name="uq_answers_community_id_message_id"),
    )
    op.create_index("ix_answers_question_id", "answers", ["question_id"])
    op.create_table(
        "faq_entries",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("deleted_at", TIMESTAMP, nullable=True),
        _community_fk("faq_entries"),
        sa.PrimaryKeyConstraint("id", name="pk_faq_entries"),
        sa.UniqueConstraint("community_id", "number", name="uq_faq_entries_community_id_number"),
    )


def downgrade() -> None:
    """Drop the Q&A tables."""
    op.drop_table("faq_entries")
    op.drop_index("ix_answers_question_id", table_name="answers")
    op.drop_table("answers")
    op.drop_index("ix_questions_community_id_status_number", table_name="questions")
    op.drop_index("ix_questions_community_id_post_message_id", table_name="questions")
    op.drop_table("questions")
