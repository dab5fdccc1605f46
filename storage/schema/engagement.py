"""Scheduled engagement: one row per community, kind and local period once its notices are queued."""

from __future__ import annotations

import sqlalchemy as sa

from storage.schema.base import community_fk, metadata
from storage.types import UtcDateTime

engagement_runs = sa.Table(
    "engagement_runs",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),  # member_digest, group_digest, weekly_board
    sa.Column("period", sa.String(16), primary_key=True),  # a local day (2026-03-29) or ISO week (2026-W13)
    sa.Column("ran_at", UtcDateTime, nullable=False),
    sa.Column("queued", sa.Integer, nullable=False),
    sa.Column("skipped", sa.Integer, nullable=False),
)
