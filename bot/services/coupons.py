"""Coupons: codes admins create (percent or Stars off, with limits) and members apply to an order.

A coupon is checked three times: when the member applies it (the offer), when the order is made,
and at the pre-checkout query. A use is counted when the payment is recorded, once per order
(the payment row is unique per charge) and once per member (a partial UNIQUE index).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.errors import DomainError, NotFound, Usage
from bot.numbers import parse_id, parse_int
from bot.services.communities import UserInfo
from bot.services.content import require_buyable
from storage.db import Database
from storage.models_content import Order
from storage.models_coupons import Coupon
from storage.repos import Repos

CODE = re.compile(r"^[A-Z0-9]{3,32}$")  # also what a /start item_<id>_<code> link can carry
MAX_USES = 1_000_000


@dataclass(frozen=True)
class CouponSpec:
    """What `/coupon add` asks for."""

    code: str
    percent: int | None = None
    stars_off: int | None = None
    max_uses: int | None = None
    last_day: dt.date | None = None
    item_id: int | None = None
    plan_id: int | None = None


@dataclass(frozen=True)
class Target:
    """What a coupon is applied to: an item or a plan, and its list price."""

    kind: str  # "item" | "plan"
    id: int
    community_id: int
    price: int
    title: str


@dataclass(frozen=True)
class CouponOffer:
    """A coupon that applies to a target for this member, and the price it gives."""

    coupon: Coupon
    target: Target
    price: int


@dataclass(frozen=True)
class OrderCoupon:
    """An order's coupon as the pre-checkout sees it: the list price and what is wrong, if anything."""

    list_price: int
    problem: str | None = None
    code: str = ""


def normalize_code(text: str) -> str:
    """Return a code as stored (upper case), or raise Usage when it cannot be one."""
    code = text.strip().upper()
    if not CODE.match(code):
        raise Usage("coupon.bad_code")
    return code


def parse_coupon_add(args: Sequence[str], max_stars: int) -> CouponSpec:
    """Parse `/coupon add CODE 20%|50 [uses=N] [until=YYYY-MM-DD] [item=ID|plan=ID]`; raise Usage."""
    if len(args) < 2:
        raise Usage("coupon.usage")
    code, value = normalize_code(args[0]), args[1].strip()
    percent = stars = None
    if value.endswith("%"):
        percent = parse_int(value[:-1], 1, 100)
    else:
        stars = parse_int(value, 1, max_stars)
    if percent is None and stars is None:
        raise Usage("coupon.bad_value", value=value, max=max_stars)
    options: dict[str, object] = {}
    for word in args[2:]:
        name, _, raw = word.partition("=")
        name = name.lower()
        if name in options or name not in ("uses", "until", "item", "plan"):
            raise Usage("coupon.bad_option", option=word)
        parsed = _option(name, raw)
        if parsed is None:
            raise Usage("coupon.bad_option", option=word)
        options[name] = parsed
    if "item" in options and "plan" in options:
        raise Usage("coupon.one_target")
    return CouponSpec(
        code, percent, stars, options.get("uses"), options.get("until"), options.get("item"),  # type: ignore[arg-type]
        options.get("plan"),  # type: ignore[arg-type]
    )


def _option(name: str, raw: str) -> object | None:
    if name == "uses":
        return parse_int(raw, 1, MAX_USES)
    if name == "until":
        try:
            return dt.date.fromisoformat(raw) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) else None
        except ValueError:
            return None
    return parse_id(raw)


def discounted(price: int, coupon: Coupon) -> int:
    """Return the price with the coupon: whole Stars (the discount rounds down), never below 1."""
    if coupon.percent is not None:
        off = price * coupon.percent // 100
    else:
        off = coupon.stars_off or 0
    return max(1, price - off)


def coupon_problem(coupon: Coupon | None, now: dt.datetime) -> str | None:
    """Return why a coupon no longer works for anyone (a message key), or None."""
    if coupon is None or coupon.status != "active":
        return "coupon.gone"
    if coupon.valid_until is not None and coupon.valid_until <= now:
        return "coupon.expired"
    if coupon.max_uses is not None and coupon.uses >= coupon.max_uses:
        return "coupon.used_up"
    return None


async def _member_problem(repos: Repos, coupon: Coupon | None, target: Target, user_id: int,
                          now: dt.datetime) -> str | None:
    problem = coupon_problem(coupon, now)
    if problem is not None or coupon is None:
        return problem
    if coupon.community_id != target.community_id:
        return "coupon.unknown"
    if (coupon.item_id is not None and (target.kind, target.id) != ("item", coupon.item_id)) or (
        coupon.plan_id is not None and (target.kind, target.id) != ("plan", coupon.plan_id)
    ):
        return "coupon.not_for_this"
    if await repos.coupons.used_by(coupon.id, user_id):
        return "coupon.already_used"
    return None


# --- admins -----------------------------------------------------------------------------------


async def do_add_coupon(db: Database, clock: Clock, community_id: int, actor_id: int, spec: CouponSpec) -> Coupon:
    """Create a coupon (codes are unique among a community's live coupons), audited."""
    now = clock.now()
    async with db.transaction() as repos:
        community = await repos.communities.get(community_id)
        if community is None:
            raise NotFound()
        if spec.item_id is not None:
            item = await repos.content.get(spec.item_id)
            if item is None or item.community_id != community_id or not item.price_stars:
                raise NotFound("coupon.bad_item", id=spec.item_id)
        if spec.plan_id is not None:
            plan = await repos.plans.get(spec.plan_id)
            if plan is None or plan.community_id != community_id or plan.status != "active":
                raise NotFound("plan.unknown", id=spec.plan_id)
        if await repos.coupons.find_active(community_id, spec.code) is not None:
            raise Usage("coupon.exists", code=spec.code)
        until = None
        if spec.last_day is not None:
            # Valid through the whole last day, in the community's time zone.
            zone = ZoneInfo(community.timezone)
            until = dt.datetime.combine(spec.last_day + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
            if until <= now:
                raise Usage("coupon.past_date", day=spec.last_day.isoformat())
        coupon = await repos.coupons.add(
            community_id, spec.code, now, actor_id, percent=spec.percent, stars_off=spec.stars_off,
            max_uses=spec.max_uses, valid_until=until, item_id=spec.item_id, plan_id=spec.plan_id,
        )
        if coupon is None:  # another admin added the code since the check above
            raise Usage("coupon.exists", code=spec.code)
        details = {"code": coupon.code, "percent": spec.percent, "stars_off": spec.stars_off,
                   "uses": spec.max_uses, "until": spec.last_day.isoformat() if spec.last_day else None,
                   "item": spec.item_id, "plan": spec.plan_id}
        await repos.audit.add(community_id, actor_id, "coupon.add", None,
                              {k: v for k, v in details.items() if v is not None}, now)
    return coupon


async def do_delete_coupon(db: Database, clock: Clock, community_id: int, actor_id: int, code: str) -> Coupon:
    """Retire a coupon: it applies to no new order, and open invoices made with it are refused. Audited."""
    now = clock.now()
    async with db.transaction() as repos:
        coupon = await repos.coupons.find_active(community_id, code)
        if coupon is None or not await repos.coupons.delete(coupon.id):
            raise NotFound("coupon.unknown", code=code)
        await repos.audit.add(community_id, actor_id, "coupon.delete", None, {"code": code}, now)
    return coupon


async def get_coupons(db: Database, community_id: int) -> list[Coupon]:
    """Return the community's live coupons."""
    async with db.read() as repos:
        return await repos.coupons.active(community_id)


# --- members ----------------------------------------------------------------------------------


async def get_item_offer(
    db: Database, clock: Clock, levels: Sequence[int], item_id: int, user: UserInfo, code: str
) -> CouponOffer:
    """Return what a code makes of an item's Stars price for this member; raise why it does not apply."""
    now = clock.now()
    async with db.read() as repos:
        item = await require_buyable(repos, item_id, user.id, now, levels)
        if not item.price_stars:
            raise DomainError("buy.not_for_stars")
        target = Target("item", item.id, item.community_id, item.price_stars, item.title)
        return await _offer(repos, target, user.id, code, now)


async def get_plan_offer(db: Database, clock: Clock, plan_id: int, user: UserInfo, code: str) -> CouponOffer:
    """Return what a code makes of a plan's price for this member; raise why it does not apply."""
    now = clock.now()
    async with db.read() as repos:
        plan = await repos.plans.get(plan_id)
        if plan is None or plan.status != "active":
            raise NotFound("plan.unknown", id=plan_id)
        target = Target("plan", plan.id, plan.community_id, plan.price_stars, plan.name)
        return await _offer(repos, target, user.id, code, now)


async def _offer(repos: Repos, target: Target, user_id: int, code: str, now: dt.datetime) -> CouponOffer:
    shown = code.strip()[:32]
    try:
        normalized = normalize_code(code)
    except Usage:
        raise DomainError("coupon.unknown", code=shown) from None
    coupon = await repos.coupons.find_active(target.community_id, normalized)
    problem = await _member_problem(repos, coupon, target, user_id, now) if coupon else "coupon.unknown"
    if problem is not None:
        raise DomainError(problem, code=normalized)
    assert coupon is not None
    return CouponOffer(coupon, target, discounted(target.price, coupon))


# --- orders, pre-checkout and payments (inside the payments service's transactions) -----------


async def price_with_coupon(
    repos: Repos, coupon_id: int | None, target: Target, user_id: int, now: dt.datetime
) -> tuple[int, Coupon | None]:
    """Return the order amount and its coupon (re-checked now); raise why the coupon does not apply."""
    if coupon_id is None:
        return target.price, None
    coupon = await repos.coupons.get(coupon_id)
    problem = await _member_problem(repos, coupon, target, user_id, now)
    if problem is not None:
        raise DomainError(problem, code=coupon.code if coupon else "")
    assert coupon is not None
    return discounted(target.price, coupon), coupon


async def attach_coupon(repos: Repos, order: Order, coupon: Coupon | None, list_price: int, now: dt.datetime) -> None:
    """Record that an order was made with a coupon (nothing without one)."""
    if coupon is not None:
        await repos.coupons.attach(order.id, coupon.id, order.user_id, list_price, now)


async def check_order_coupon(repos: Repos, order: Order, now: dt.datetime) -> OrderCoupon:
    """Return the price an order was made from, and why its coupon no longer holds, if it does not."""
    redemption = await repos.coupons.redemption(order.id)
    if redemption is None:
        return OrderCoupon(order.amount)
    coupon = await repos.coupons.get(redemption.coupon_id)
    code = coupon.code if coupon else ""
    problem = coupon_problem(coupon, now)
    if problem is None and redemption.status == "pending" and await repos.coupons.used_by(redemption.coupon_id,
                                                                                           order.user_id):
        problem = "coupon.already_used"
    return OrderCoupon(redemption.list_price, problem, code)


async def redeem_coupon(repos: Repos, order: Order, payment_id: int, now: dt.datetime) -> bool:
    """Count the use of a paid order's coupon once; False when the member or the coupon ran out meanwhile."""
    redemption = await repos.coupons.redemption(order.id)
    if redemption is None or redemption.status == "used":
        return True  # no coupon, or a renewal of a subscription bought with one
    # Whether this member used it already is read under the coupon's lock (PostgreSQL).
    await repos.coupons.lock(redemption.coupon_id)
    if await repos.coupons.used_by(redemption.coupon_id, order.user_id):
        return False
    if not await repos.coupons.count_use(redemption.coupon_id):
        return False
    return await repos.coupons.mark_used(order.id, payment_id, now)
