"""Table definitions (SQLAlchemy Core), one module per feature; changes need an Alembic revision."""

from __future__ import annotations

from storage.schema.base import NAMING_CONVENTION, community_fk, metadata, user_fk
from storage.schema.core import (
    communities,
    users,
    memberships,
    community_settings,
    user_settings,
    admin_audit,
    outbox,
)
from storage.schema.points import (
    points_ledger,
    points_members,
    points_windows,
    points_daily,
    points_state,
    message_authors,
    badges,
    points_histogram,
)
from storage.schema.content import (
    content_items,
    plans,
    orders,
    star_payments,
    entitlements,
    paid_memberships,
    content_ratings,
    content_opens,
)
from storage.schema.qa import (
    questions,
    answers,
    faq_entries,
)
from storage.schema.paid_questions import paid_question_prompts, paid_questions
from storage.schema.console import broadcasts
from storage.schema.coupons import coupon_redemptions, coupons
from storage.schema.engagement import engagement_runs
from storage.schema.growth import invite_links, referrals, trials
from storage.schema.activity import member_days
from storage.schema.updates import received_updates
from storage.schema.onboarding import (
    onboarding,
    pending_welcomes,
)

__all__ = [
    "NAMING_CONVENTION",
    "admin_audit",
    "answers",
    "badges",
    "broadcasts",
    "communities",
    "community_fk",
    "community_settings",
    "content_items",
    "content_opens",
    "content_ratings",
    "coupon_redemptions",
    "coupons",
    "engagement_runs",
    "entitlements",
    "faq_entries",
    "invite_links",
    "member_days",
    "memberships",
    "message_authors",
    "metadata",
    "onboarding",
    "orders",
    "outbox",
    "paid_memberships",
    "paid_question_prompts",
    "paid_questions",
    "pending_welcomes",
    "plans",
    "points_daily",
    "points_histogram",
    "points_ledger",
    "points_members",
    "points_state",
    "points_windows",
    "questions",
    "received_updates",
    "referrals",
    "star_payments",
    "trials",
    "user_fk",
    "user_settings",
    "users",
]
