"""Joining: onboarding progress and welcomes still to send."""

from __future__ import annotations

import sqlalchemy as sa

from storage.schema.base import community_fk, metadata, user_fk
from storage.types import BigIntId, UtcDateTime

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
    # The welcome's outbox key is made from the last id it names: an id must never come back.
    sqlite_autoincrement=True,
)
