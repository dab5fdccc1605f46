"""Paid questions: a member pays Stars to ask the community's admins in private."""

from __future__ import annotations

import sqlalchemy as sa

from storage.schema.base import community_fk, metadata, user_fk
from storage.types import BigIntId, UtcDateTime

# Each paid question moves through one status at a time, always by a conditional update, so a
# duplicated update, two admins pressing at once or a restart never settles it twice:
# draft (no community chosen yet) → invoiced (an order is out) → waiting (paid; with the admins
# until deadline_at) → answered | declined (refunded) | expired (unanswered: refunded) | refunded
# (an admin's /refund). The payment's own refund runs through star_payments' states.

paid_questions = sa.Table(
    "paid_questions",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=True),
    sa.Column("asker_id", sa.BigInteger, user_fk(), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="draft"),
    sa.Column("amount", sa.Integer, nullable=True),
    sa.Column("order_id", sa.BigInteger, sa.ForeignKey("orders.id"), nullable=True),
    sa.Column("payment_id", sa.BigInteger, sa.ForeignKey("star_payments.id"), nullable=True),
    # The days the admins have to answer, as set when the invoice went out; counted from the payment.
    sa.Column("answer_days", sa.Integer, nullable=True),
    sa.Column("deadline_at", UtcDateTime, nullable=True),
    sa.Column("answerer_id", sa.BigInteger, nullable=True),
    sa.Column("answer_text", sa.Text, nullable=True),
    sa.Column("answered_at", UtcDateTime, nullable=True),
    sa.Column("settled_by", sa.BigInteger, nullable=True),
    sa.Column("settled_at", UtcDateTime, nullable=True),
    # The asker's choice about the group: None (not asked yet), "posting", "posted", "private".
    sa.Column("consent", sa.String(16), nullable=True),
    sa.Column("qa_question_id", sa.BigInteger, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Index("ix_paid_questions_status_deadline_at", "status", "deadline_at"),
    sa.Index("ix_paid_questions_payment_id", "payment_id"),
    sqlite_autoincrement=True,
)

# The bot's "reply to this message with your answer" prompts: a private reply to one is the answer.
paid_question_prompts = sa.Table(
    "paid_question_prompts",
    metadata,
    sa.Column("chat_id", sa.BigInteger, primary_key=True),
    sa.Column("message_id", sa.BigInteger, primary_key=True),
    sa.Column(
        "question_id", sa.BigInteger, sa.ForeignKey("paid_questions.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("created_at", UtcDateTime, nullable=False),
)
