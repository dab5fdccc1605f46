"""Q&A: questions, answers and FAQ entries."""

from __future__ import annotations

import sqlalchemy as sa

from storage.schema.base import community_fk, metadata, user_fk
from storage.types import BigIntId, UtcDateTime

# Questions are numbered per community (Q#n). A question is found again from either of its two
# messages (the asker's /ask and the bot's Q post), an answer from its reply message; the
# unique message ids make a replayed update find the row it created instead of a new one.

questions = sa.Table(
    "questions",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("asker_id", sa.BigInteger, user_fk(), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("message_id", sa.BigInteger, nullable=False),
    sa.Column("post_message_id", sa.BigInteger, nullable=True),
    # open | solved | closed
    sa.Column("status", sa.String(16), nullable=False, server_default="open"),
    sa.Column("bounty", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("answer_count", sa.Integer, nullable=False, server_default=sa.text("0")),
    # answers.id; no FK because answers reference questions (the cycle buys nothing).
    sa.Column("accepted_answer_id", sa.BigInteger, nullable=True),
    sa.Column("faq_id", sa.BigInteger, nullable=True),
    # The FAQ entry offered as an immediate answer (its Yes/No buttons act on it).
    sa.Column("offered_faq_id", sa.BigInteger, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("closed_at", UtcDateTime, nullable=True),
    sa.UniqueConstraint("community_id", "number"),
    sa.UniqueConstraint("community_id", "message_id"),
    sa.Index("ix_questions_community_id_post_message_id", "community_id", "post_message_id"),
    sa.Index("ix_questions_community_id_status_number", "community_id", "status", "number"),
    sa.Index("ix_questions_community_id_created_at", "community_id", "created_at"),
)

answers = sa.Table(
    "answers",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column(
        "question_id", sa.BigInteger, sa.ForeignKey("questions.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("author_id", sa.BigInteger, user_fk(), nullable=False),
    sa.Column("message_id", sa.BigInteger, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("community_id", "message_id"),
    sa.Index("ix_answers_question_id", "question_id"),
)

faq_entries = sa.Table(
    "faq_entries",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("created_by", sa.BigInteger, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    # Deleted entries are kept (questions solved by them still point at them).
    sa.Column("deleted_at", UtcDateTime, nullable=True),
    sa.UniqueConstraint("community_id", "number"),
)
