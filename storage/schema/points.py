"""Points: the append-only ledger and the running totals behind leaderboards."""

from __future__ import annotations

import sqlalchemy as sa

from storage.schema.base import community_fk, metadata, user_fk
from storage.types import BigIntId, UtcDateTime

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
    # Covering, for the writer's reads of members' totals (the board index would scan the community).
    sa.Index("ix_points_windows_member", "community_id", "period", "user_id", "total"),
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
