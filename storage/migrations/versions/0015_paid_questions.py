"""Paid questions: a member pays Stars to ask the admins in private; answered, declined or refunded.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the types as of this revision.
TIMESTAMP = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create paid_questions and paid_question_prompts."""
    op.create_table(
        "paid_questions",
        sa.Column("id", ID, nullable=False, autoincrement=True),
        sa.Column("community_id", sa.BigInteger(), nullable=True),
        sa.Column("asker_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="draft"),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.BigInteger(), nullable=True),
        sa.Column("payment_id", sa.BigInteger(), nullable=True),
        sa.Column("answer_days", sa.Integer(), nullable=True),
        sa.Column("deadline_at", TIMESTAMP, nullable=True),
        sa.Column("answerer_id", sa.BigInteger(), nullable=True),
        sa.Column("answer_text", sa.Text(), nullable=True),
        sa.Column("answered_at", TIMESTAMP, nullable=True),
        sa.Column("settled_by", sa.BigInteger(), nullable=True),
        sa.Column("settled_at", TIMESTAMP, nullable=True),
        sa.Column("consent", sa.String(16), nullable=True),
        sa.Column("qa_question_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name="fk_paid_questions_community_id_communities",
            ondelete="CASCADE", onupdate="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["asker_id"], ["users.id"], name="fk_paid_questions_asker_id_users", ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_paid_questions_order_id_orders"),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["star_payments.id"], name="fk_paid_questions_payment_id_star_payments"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_paid_questions"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_paid_questions_status_deadline_at", "paid_questions", ["status", "deadline_at"])
    op.create_index("ix_paid_questions_payment_id", "paid_questions", ["payment_id"])
    op.create_table(
        "paid_question_prompts",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("question_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"], ["paid_questions.id"], name="fk_paid_question_prompts_question_id_paid_questions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("chat_id", "message_id", name="pk_paid_question_prompts"),
    )


def downgrade() -> None:
    """Drop paid_question_prompts and paid_questions."""
    op.drop_table("paid_question_prompts")
    op.drop_index("ix_paid_questions_payment_id", table_name="paid_questions")
    op.drop_index("ix_paid_questions_status_deadline_at", table_name="paid_questions")
    op.drop_table("paid_questions")
