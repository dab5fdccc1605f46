"""Coupon rules without the bot: parsing /coupon add, and the discounted price."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import Usage
from bot.links import ITEM_CODE, StartPayload, decode_start
from bot.services.coupons import CouponSpec, discounted, parse_coupon_add
from storage.models_coupons import Coupon

T0 = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


def _coupon(percent: int | None = None, stars: int | None = None) -> Coupon:
    return Coupon(id=1, community_id=-1, code="X1X", percent=percent, stars_off=stars, max_uses=None, uses=0,
                  valid_until=None, item_id=None, plan_id=None, status="active", created_by=1, created_at=T0)


@given(price=st.integers(1, 10000), percent=st.integers(1, 100))
def test_a_percent_off_price_is_whole_stars_never_below_one(price: int, percent: int) -> None:
    result = discounted(price, _coupon(percent=percent))
    assert 1 <= result <= price and result == max(1, price - price * percent // 100)


@given(price=st.integers(1, 10000), stars=st.integers(1, 10000))
def test_stars_off_never_below_one(price: int, stars: int) -> None:
    assert discounted(price, _coupon(stars=stars)) == max(1, price - stars)


def test_parse_coupon_add_accepts_the_documented_forms() -> None:
    assert parse_coupon_add(["spring20", "20%"], 10000) == CouponSpec("SPRING20", percent=20)
    assert parse_coupon_add(["VIP", "50", "uses=3", "until=2026-02-01", "plan=2"], 10000) == CouponSpec(
        "VIP", stars_off=50, max_uses=3, last_day=dt.date(2026, 2, 1), plan_id=2
    )
    for args in (["VIP"], ["V", "5"], ["VIP", "0"], ["VIP", "101%"], ["VIP", "5", "uses=x"], ["VIP", "5", "x=1"],
                 ["VIP", "5", "until=2026-13-01"], ["VIP", "5", "uses=1", "uses=2"], ["VIP", "5", "item=1", "plan=1"]):
        with pytest.raises(Usage):
            parse_coupon_add(args, 10000)


@given(item=st.integers(1, 10**12), code=st.from_regex(r"[A-Za-z0-9]{3,32}", fullmatch=True))
def test_item_code_links_round_trip(item: int, code: str) -> None:
    payload = StartPayload(ITEM_CODE, item, code)
    assert decode_start(payload.encode()) == payload
