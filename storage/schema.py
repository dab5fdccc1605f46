"""Table definitions (SQLAlchemy Core); every change here needs an Alembic revision."""

from __future__ import annotations

import sqlalchemy as sa

from storage.types import BigIntId, UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def community_fk() -> sa.ForeignKey:
    """Reference communities.id so that a supergroup migration (a PK change) cascades."""
    return sa.ForeignKey("communities.id", ondelete="CASCADE", onupdate="CASCADE")


def user_fk() -> sa.ForeignKey:
    """Reference users.id."""
    return sa.ForeignKey("users.id", ondelete="CASCADE", onupdate="CASCADE")


communities = sa.Table(
    "communities",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("username", sa.Text, nullable=True),
    sa.Column("chat_type", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("language", sa.String(8), nullable=False, server_default="en"),
    sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("first_name", sa.Text, nullable=False),
    sa.Column("last_name", sa.Text, nullable=True),
    sa.Column("username", sa.Text, nullable=True),
    sa.Column("language_code", sa.String(16), nullable=True),
    sa.Column("is_bot", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("started_at", UtcDateTime, nullable=True),
    sa.Column("blocked_at", UtcDateTime, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

memberships = sa.Table(
    "memberships",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    sa.Column("user_id", sa.BigInteger, user_fk(), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("joined_at", UtcDateTime, nullable=False),
    sa.Column("left_at", UtcDateTime, nullable=True),
    sa.Column("language", sa.String(8), nullable=True),
    sa.Index("ix_memberships_user_id", "user_id"),
)

community_settings = sa.Table(
    "community_settings",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.JSON, nullable=True),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("updated_by", sa.BigInteger, nullable=True),
)

admin_audit = sa.Table(
    "admin_audit",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("actor_id", sa.BigInteger, nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target_user_id", sa.BigInteger, nullable=True),
    sa.Column("details", sa.JSON, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_admin_audit_community_id_created_at", "community_id", "created_at"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("dedupe_key", sa.Text, nullable=False, unique=True),
    sa.Column("chat_id", sa.BigInteger, nullable=False),
    sa.Column("method", sa.String(64), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("not_before", UtcDateTime, nullable=True),
    sa.Column("sent_at", UtcDateTime, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Index("ix_outbox_status_not_before", "status", "not_before"),
)

# --- points (issue 4) -----------------------------------------------------------------------
# The ledger is the truth; points_members, points_windows and points_daily are running
# totals kept in the same transaction as each ledger row, so leaderboards are index scans.

points_ledger = sa.Table(
    "points_ledger",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("user_id", sa.BigInteger, user_fk(), nullable=False),
    sa.Column("delta", sa.Integer, nullable=False),
    # False for spending (purchases, bounty holds): it moves the balance, not the score.
    sa.Column("scored", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("ref", sa.String(128), nullable=True),
    sa.Column("idem_key", sa.String(200), nullable=False),
    # The community's local day (date ordinal) at award time: the bucket it counts in.
    sa.Column("day", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("community_id", "idem_key"),
    sa.Index("ix_points_ledger_community_id_user_id_reason", "community_id", "user_id", "reason"),
)

points_members = sa.Table(
    "points_members",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    sa.Column("user_id", sa.BigInteger, user_fk(), primary_key=True),
    sa.Column("score", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("balance", sa.Integer, nullable=False, server_default=sa.text("0")),
    # The highest level reached (and announced): announcing again needs a higher one.
    sa.Column("level", sa.Integer, nullable=False, server_default=sa.text("1")),
    sa.Column("streak", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("best_streak", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("checkin_day", sa.Integer, nullable=True),
    sa.Column("last_message_at", UtcDateTime, nullable=True),
    sa.Column("message_day", sa.Integer, nullable=True),
    sa.Column("message_count", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("given_day", sa.Integer, nullable=True),
    sa.Column("given_count", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("question_day", sa.Integer, nullable=True),
    sa.Column("question_count", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Index("ix_points_members_board", "community_id", "score", "user_id"),
)

points_windows = sa.Table(
    "points_windows",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    sa.Column("period", sa.SmallInteger, primary_key=True),
    sa.Column("user_id", sa.BigInteger, user_fk(), primary_key=True),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Index("ix_points_windows_board", "community_id", "period", "total", "user_id"),
)

points_daily = sa.Table(
    "points_daily",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    sa.Column("day", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.BigInteger, user_fk(), primary_key=True),
    sa.Column("points", sa.Integer, nullable=False),
)

points_state = sa.Table(
    "points_state",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    # The local day the windows were last rolled to.
    sa.Column("windows_day", sa.Integer, nullable=False),
)

# Who wrote each group message, so a message_reaction update (which names only the
# reactor) can credit the author.
message_authors = sa.Table(
    "message_authors",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    sa.Column("message_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.BigInteger, user_fk(), nullable=False),
    sa.Column("day", sa.Integer, nullable=False),
)

badges = sa.Table(
    "badges",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    sa.Column("user_id", sa.BigInteger, user_fk(), primary_key=True),
    sa.Column("badge", sa.String(32), primary_key=True),
    sa.Column("awarded_at", UtcDateTime, nullable=False),
)

# How many members hold each positive points value, per period (0 = all time): a rank is
# 1 + the members above, summed over a few hundred values instead of counted one by one.
points_histogram = sa.Table(
    "points_histogram",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    sa.Column("period", sa.SmallInteger, primary_key=True),
    sa.Column("points", sa.Integer, primary_key=True),
    sa.Column("members", sa.Integer, nullable=False),
)

# --- paid content and memberships (issue 6) -------------------------------------------------
# An item is kept so it can be delivered later: a copy in the storage chat and/or the file_id
# (or the HTML text). Payments are keyed by Telegram's charge id, so a duplicated
# successful_payment can never be recorded twice.

content_items = sa.Table(
    "content_items",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("creator_id", sa.BigInteger, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("body_html", sa.Text, nullable=True),
    sa.Column("file_id", sa.Text, nullable=True),
    sa.Column("storage_chat_id", sa.BigInteger, nullable=True),
    sa.Column("storage_message_id", sa.BigInteger, nullable=True),
    # None: not for sale that way. Free items have neither price nor a level/members rule.
    sa.Column("price_stars", sa.Integer, nullable=True),
    sa.Column("price_points", sa.Integer, nullable=True),
    sa.Column("min_level", sa.Integer, nullable=True),
    sa.Column("members_only", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("status", sa.String(16), nullable=False, server_default="published"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Index("ix_content_items_community_id_status", "community_id", "status"),
)

plans = sa.Table(
    "plans",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("price_stars", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Index("ix_plans_community_id_status", "community_id", "status"),
)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("user_id", sa.BigInteger, user_fk(), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("item_id", sa.BigInteger, sa.ForeignKey("content_items.id"), nullable=True),
    sa.Column("plan_id", sa.BigInteger, sa.ForeignKey("plans.id"), nullable=True),
    sa.Column("currency", sa.String(8), nullable=False),
    sa.Column("amount", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("paid_at", UtcDateTime, nullable=True),
    sa.Index("ix_orders_user_id_status", "user_id", "status"),
)

star_payments = sa.Table(
    "star_payments",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("charge_id", sa.Text, nullable=False, unique=True),
    sa.Column("provider_charge_id", sa.Text, nullable=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=True),
    sa.Column("user_id", sa.BigInteger, user_fk(), nullable=False),
    sa.Column("order_id", sa.BigInteger, sa.ForeignKey("orders.id"), nullable=True),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("item_id", sa.BigInteger, nullable=True),
    sa.Column("plan_id", sa.BigInteger, nullable=True),
    sa.Column("currency", sa.String(8), nullable=False),
    sa.Column("amount", sa.Integer, nullable=False),
    sa.Column("subscription_expires_at", UtcDateTime, nullable=True),
    sa.Column("is_first_recurring", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("points_awarded", sa.Integer, nullable=False, server_default=sa.text("0")),
    # paid | refund_due (grants nothing: refunded automatically) | refunding | refunded
    sa.Column("status", sa.String(16), nullable=False, server_default="paid"),
    sa.Column("refund_reason", sa.String(32), nullable=True),
    sa.Column("refunded_by", sa.BigInteger, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("refunded_at", UtcDateTime, nullable=True),
    sa.Index("ix_star_payments_community_id_created_at", "community_id", "created_at"),
    sa.Index("ix_star_payments_status", "status"),
)

entitlements = sa.Table(
    "entitlements",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("item_id", sa.BigInteger, sa.ForeignKey("content_items.id"), nullable=False),
    sa.Column("user_id", sa.BigInteger, user_fk(), nullable=False),
    sa.Column("source", sa.String(8), nullable=False),
    sa.Column("payment_id", sa.BigInteger, sa.ForeignKey("star_payments.id"), nullable=True),
    sa.Column("points_spent", sa.Integer, nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("revoked_at", UtcDateTime, nullable=True),
    # pending until the content reached the buyer's private chat; the start-up repair pass
    # delivers whatever is still pending.
    sa.Column("delivery", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("delivered_at", UtcDateTime, nullable=True),
    sa.Column("delivery_attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("delivery_error", sa.Text, nullable=True),
    sa.Index("ix_entitlements_user_id_status", "user_id", "status"),
    sa.Index("ix_entitlements_delivery", "delivery"),
    # At most one active entitlement per buyer and item, whatever raced to create it.
    sa.Index(
        "uq_entitlements_active",
        "item_id",
        "user_id",
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    ),
)

paid_memberships = sa.Table(
    "paid_memberships",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    sa.Column("user_id", sa.BigInteger, user_fk(), primary_key=True),
    sa.Column("plan_id", sa.BigInteger, nullable=True),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

content_ratings = sa.Table(
    "content_ratings",
    metadata,
    sa.Column("item_id", sa.BigInteger, sa.ForeignKey("content_items.id"), primary_key=True),
    sa.Column("user_id", sa.BigInteger, user_fk(), primary_key=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("rating", sa.SmallInteger, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

content_opens = sa.Table(
    "content_opens",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("item_id", sa.BigInteger, sa.ForeignKey("content_items.id"), nullable=False),
    sa.Column("user_id", sa.BigInteger, user_fk(), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_content_opens_item_id", "item_id"),
)

# --- Q&A (issue 5) ----------------------------------------------------------------------------
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

# --- onboarding (issue 3) -------------------------------------------------------------------
# One row per person and community once they start onboarding (or hit a gate). Kept when
# they leave, so a rejoin restores their answers and never credits completion twice.

onboarding = sa.Table(
    "onboarding",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    sa.Column("user_id", sa.BigInteger, user_fk(), primary_key=True),
    # rules → survey → done
    sa.Column("step", sa.String(16), nullable=False, server_default="rules"),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("rules_accepted_at", UtcDateTime, nullable=True),
    sa.Column("completed_at", UtcDateTime, nullable=True),
    # NULL | restricted (gate=rules, until accepted or gate_deadline) | removing (being
    # removed after the deadline) | request (a join request waits for completion)
    sa.Column("gate", sa.String(16), nullable=True),
    sa.Column("gate_deadline", UtcDateTime, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Index("ix_onboarding_gate_deadline", "gate_deadline"),
)

# Joins not yet welcomed in the group: the next welcome mentions all of them at once.
pending_welcomes = sa.Table(
    "pending_welcomes",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.BigInteger, community_fk(), nullable=False),
    sa.Column("user_id", sa.BigInteger, user_fk(), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("community_id", "user_id"),
)
