"""Frozen models for paid content: items, plans, orders, Stars payments, entitlements."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from storage.models import _Row

ContentKind = Literal["text", "photo", "document", "video", "audio"]
ItemStatus = Literal["published", "unpublished"]
OrderKind = Literal["item", "plan", "question"]
OrderStatus = Literal["pending", "paid"]
PaymentStatus = Literal["paid", "refund_due", "refunding", "refunded"]
EntitlementSource = Literal["stars", "points", "grant"]
Delivery = Literal["pending", "delivered", "failed"]


class ContentItem(_Row):
    """A piece of content a community sells or gives away."""

    id: int
    community_id: int
    creator_id: int
    title: str
    description: str | None
    tags: list[str]
    kind: ContentKind
    body_html: str | None
    file_id: str | None
    storage_chat_id: int | None
    storage_message_id: int | None
    price_stars: int | None
    price_points: int | None
    min_level: int | None
    members_only: bool
    status: ItemStatus
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def is_published(self) -> bool:
        """Tell whether the item is in the catalog."""
        return self.status == "published"

    @property
    def is_free(self) -> bool:
        """Tell whether anyone may open it: no price and no level or members rule."""
        return not (self.price_stars or self.price_points or self.min_level or self.members_only)


class Plan(_Row):
    """A membership plan: Stars per 30 days."""

    id: int
    community_id: int
    name: str
    price_stars: int
    status: Literal["active", "deleted"]
    created_at: dt.datetime
    updated_at: dt.datetime
    trial_days: int | None = None


class Order(_Row):
    """An invoice the bot issued: what, for whom, at which price, until when."""

    id: int
    community_id: int
    user_id: int
    kind: OrderKind
    item_id: int | None
    plan_id: int | None
    currency: str
    amount: int
    status: OrderStatus
    created_at: dt.datetime
    expires_at: dt.datetime
    paid_at: dt.datetime | None


class StarPayment(_Row):
    """One successful Stars payment as Telegram reported it."""

    id: int
    charge_id: str
    provider_charge_id: str | None
    community_id: int | None
    user_id: int
    order_id: int | None
    kind: str
    item_id: int | None
    plan_id: int | None
    currency: str
    amount: int
    subscription_expires_at: dt.datetime | None
    is_first_recurring: bool
    points_awarded: int
    rewards_pending: bool
    status: PaymentStatus
    refund_reason: str | None
    refunded_by: int | None
    created_at: dt.datetime
    refunded_at: dt.datetime | None


class Entitlement(_Row):
    """A user's right to an item, and whether the content reached them."""

    id: int
    community_id: int
    item_id: int
    user_id: int
    source: EntitlementSource
    payment_id: int | None
    points_spent: int | None
    status: Literal["active", "revoked"]
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    delivery: Delivery
    delivered_at: dt.datetime | None
    delivery_attempts: int
    delivery_error: str | None


class PaidMembership(_Row):
    """Until when a user's paid membership of a community runs."""

    community_id: int
    user_id: int
    plan_id: int | None
    expires_at: dt.datetime
    updated_at: dt.datetime
    renewal: str = "on"  # on | canceled | failed | off
    lapse: str | None = None  # removing | removed | kept, after a lapse where a plan is needed to join
    lapsed_at: dt.datetime | None = None
