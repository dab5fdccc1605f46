"""PostgreSQL: read-then-write transactions stay correct when several processes share one database.

Each `Database` is one process's engine and pool; the services run as the bot runs them.
"""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from bot.clock import FakeClock
from bot.config import OnboardingConfig, PaymentsConfig, PointsConfig
from bot.errors import InsufficientPoints
from bot.payload import sign_order
from bot.services.communities import UserInfo
from bot.services.community_options import do_set_option
from bot.services.content import ContentSource, PublishSpec, do_publish_item
from bot.services.members import do_record_member
from bot.services.onboarding import do_accept_rules, do_choose_tag, do_finish_onboarding
from bot.services.payments import PaymentInfo, do_create_item_order
from tests.content.flows import record_and_reward
from bot.services.points import Grant, do_award_points
from bot.services.points_rules import Scoring
from bot.services.unlocks import do_buy_with_points
from storage.db import Database
from storage.models_content import Order

from tests.fixtures import ALICE, BOB, CAROL, GROUP, T0

SECRET = b"test-secret"


async def _count(db: Database, sql: str) -> int:
    async with db.read() as repos:
        return int(await repos.conn.scalar(sa.text(sql)) or 0)


async def test_a_deadlock_is_retried_and_both_transactions_commit(two: tuple[Database, Database]) -> None:
    first, second = two
    both_locked = asyncio.Barrier(2)
    attempts = []

    async def cross(db: Database, mine: int, theirs: int) -> None:
        async for attempt in db.retrying():
            async with attempt as repos:
                attempts.append(mine)
                touch = sa.text("UPDATE users SET first_name = first_name WHERE id = :id")
                await repos.conn.execute(touch, {"id": mine})
                if attempts.count(mine) == 1:
                    await both_locked.wait()
                await repos.conn.execute(sa.text("UPDATE users SET last_name = 'x' WHERE id = :id"), {"id": theirs})

    await asyncio.wait_for(asyncio.gather(cross(first, ALICE.id, BOB.id), cross(second, BOB.id, ALICE.id)), 30)
    assert len(attempts) == 3  # one of the two was chosen as the deadlock victim and ran again
    assert await _count(first, "SELECT COUNT(*) FROM users WHERE last_name = 'x'") == 2


async def test_a_failure_that_is_not_a_conflict_is_not_retried(two: tuple[Database, Database]) -> None:
    first, _ = two
    runs = 0
    with pytest.raises(DBAPIError):
        async for attempt in first.retrying():
            async with attempt as repos:
                runs += 1
                await repos.conn.execute(sa.text("SELECT 1 / 0"))
    assert runs == 1


async def test_points_purchases_from_two_processes_with_a_balance_for_one(two: tuple[Database, Database]) -> None:
    clock = FakeClock(T0)
    scorings = [Scoring(PointsConfig()) for _ in two]
    for round_ in range(6):
        items = []
        for n in range(2):
            spec = PublishSpec(f"Notes {round_}.{n}", (), price_points=30)
            source = ContentSource("text", "secret notes", None)
            items.append((await do_publish_item(two[0], clock, GROUP.id, CAROL.id, spec, source)).id)
        grant = Grant(GROUP.id, BOB.id, 40 if round_ == 0 else 30, "test", f"seed:{round_}")
        await do_award_points(two[0], scorings[0], clock, grant)
        results = await asyncio.gather(
            *(do_buy_with_points(two[n], clock, scorings[n], scorings[n].config.levels, items[n], BOB) for n in (0, 1)),
            return_exceptions=True,
        )
        assert sum(isinstance(r, InsufficientPoints) for r in results) == 1, results
        async with two[1].read() as repos:
            member = await repos.points.member(GROUP.id, BOB.id)
            assert await repos.ledger.sums(GROUP.id) == await repos.ledger.member_totals(GROUP.id)
        assert member is not None and member.balance == 10
    assert await _count(two[0], "SELECT COUNT(*) FROM entitlements") == 6


async def test_one_payment_delivered_to_both_processes_is_applied_once(two: tuple[Database, Database]) -> None:
    clock = FakeClock(T0)
    scorings = [Scoring(PointsConfig()) for _ in two]
    spec = PublishSpec("Stars notes", (), price_stars=50)
    item = await do_publish_item(two[0], clock, GROUP.id, CAROL.id, spec, ContentSource("text", "notes", None))
    for round_ in range(4):
        buyer = (ALICE, BOB)[round_ % 2]
        if round_ < 2:
            order, _ = await do_create_item_order(two[0], clock, PaymentsConfig(), SECRET, (0,), item.id, buyer)
        else:  # an older invoice of the item paid after it was bought: refunded, never granted twice
            order = await _order_again(two[0], clock, item.id, buyer)
        info = PaymentInfo(buyer, f"charge-{round_}", None, sign_order(order.id, SECRET), "XTR", 50, None, False)
        outcomes = await asyncio.gather(
            *(record_and_reward(two[n % 2], clock, scorings[n % 2], SECRET, info) for n in range(4))
        )
        assert sum(not o.duplicate for o in outcomes) == 1
    async with two[1].read() as repos:
        purchases = await repos.ledger.with_reason(GROUP.id, "purchase")
        assert await repos.ledger.sums(GROUP.id) == await repos.ledger.member_totals(GROUP.id)
    assert await _count(two[0], "SELECT COUNT(*) FROM star_payments") == 4
    assert await _count(two[0], "SELECT COUNT(*) FROM entitlements WHERE status = 'active'") == 2
    assert len(purchases) == 2  # the two granted payments; the second orders were refunded
    assert await _count(two[0], "SELECT COUNT(*) FROM star_payments WHERE status = 'refund_due'") == 2


async def _order_again(db: Database, clock: FakeClock, item_id: int, buyer: UserInfo) -> Order:
    """A second pending order of the same item (as an old invoice would be), made directly."""
    async with db.transaction() as repos:
        return await repos.orders.add(GROUP.id, buyer.id, "item", 50, clock.now(), clock.now().replace(year=2030),
                                      item_id=item_id)


async def test_onboarding_taps_at_once_keep_every_tag_and_reward_once(two: tuple[Database, Database]) -> None:
    clock = FakeClock(T0)
    defaults = OnboardingConfig()
    scorings = [Scoring(PointsConfig()) for _ in two]
    await do_set_option(two[0], clock, GROUP.id, CAROL.id, "tags", "Rust, Go, Zig, C, Lua, Nim")
    for user in (ALICE, BOB):
        await do_record_member(two[0], clock, defaults, GROUP.id, user, "member", False)
        await do_accept_rules(two[0], clock, defaults, GROUP.id, user.id)
        await asyncio.gather(
            *(do_choose_tag(two[i % 2], clock, defaults, GROUP.id, user.id, i, True) for i in range(6))
        )
        views = await asyncio.gather(
            *(do_finish_onboarding(two[i % 2], clock, defaults, GROUP.id, user.id, scorings[i % 2]) for i in range(4))
        )
        assert sum(v.completed_now for v in views) == 1
        assert views[0].state.tags == ["Rust", "Go", "Zig", "C", "Lua", "Nim"]
    async with two[0].read() as repos:
        rewards = await repos.ledger.with_reason(GROUP.id, "onboarding")
    assert sorted(user_id for user_id, _ in rewards) == [ALICE.id, BOB.id]
