"""Activity: one row per member and local day they wrote in the group (behind /stats)."""

from __future__ import annotations

import sqlalchemy as sa

from storage.schema.base import community_fk, metadata, user_fk

# message_authors keeps who wrote each message for 30 days (reactions need no more); this
# keeps one row per member-day for good, so active members, messages per day and retention
# cohorts are range scans over (community, day) and (community, member) at any age.
member_days = sa.Table(
    "member_days",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    sa.Column("day", sa.Integer, primary_key=True),  # the community's local day (date ordinal)
    sa.Column("user_id", sa.BigInteger, user_fk(), primary_key=True),
    sa.Column("messages", sa.Integer, nullable=False),
    sa.Index("ix_member_days_community_id_user_id_day", "community_id", "user_id", "day"),
)
