"""Growth: free trials taken, members' invite links, and who joined through whose link."""

from __future__ import annotations

import sqlalchemy as sa

from storage.schema.base import community_fk, metadata, user_fk
from storage.types import UtcDateTime

# One free trial per person and community, ever (leaving and rejoining does not reset it).
trials = sa.Table(
    "trials",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    sa.Column("user_id", sa.BigInteger, user_fk(), primary_key=True),
    sa.Column("plan_id", sa.BigInteger, sa.ForeignKey("plans.id"), nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("ends_at", UtcDateTime, nullable=False),
)

# A member's personal invite link to a community's group (createChatInviteLink), reused.
invite_links = sa.Table(
    "invite_links",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    sa.Column("user_id", sa.BigInteger, user_fk(), primary_key=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("creates_join_request", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

# A newcomer who came through a member's link: rewarded once on onboarding, once on a first purchase.
referrals = sa.Table(
    "referrals",
    metadata,
    sa.Column("community_id", sa.BigInteger, community_fk(), primary_key=True),
    sa.Column("newcomer_id", sa.BigInteger, user_fk(), primary_key=True),
    sa.Column("inviter_id", sa.BigInteger, user_fk(), nullable=False),
    sa.Column("joined_at", UtcDateTime, nullable=False),
    sa.Column("onboarded_at", UtcDateTime, nullable=True),
    sa.Column("purchased_at", UtcDateTime, nullable=True),
    sa.Index("ix_referrals_community_id_inviter_id", "community_id", "inviter_id"),
)
