"""Frozen models for coupons and the orders made with one."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from storage.models import _Row


class Coupon(_Row):
    """A discount code of a community: percent or Stars off, with optional limits."""

    id: int
    community_id: int
    code: str
    percent: int | None
    stars_off: int | None
    max_uses: int | None
    uses: int
    valid_until: dt.datetime | None
    item_id: int | None
    plan_id: int | None
    status: Literal["active", "deleted"]
    created_by: int
    created_at: dt.datetime


class CouponRedemption(_Row):
    """An order made with a coupon: pending until paid, then used."""

    order_id: int
    coupon_id: int
    user_id: int
    list_price: int
    status: Literal["pending", "used"]
    payment_id: int | None
    created_at: dt.datetime
    used_at: dt.datetime | None
