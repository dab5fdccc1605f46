"""PostgreSQL: refunds, paid questions, referral rewards and coupons handled by two processes at once.

Each `Database` is one process's engine and pool on the same database; the services run as
the bot runs them, started together so their transactions interleave.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from bot.clock import FakeClock
from bot.config import PaymentsConfig, PointsConfig, Settings
from bot.errors import DomainError
from bot.payload import sign_order
from bot.services.communities import UserInfo
from bot.services.content import ContentSource, PublishSpec, do_publish_item
from bot.services.coupons import CouponSpec, do_add_coupon
from bot.services.members import do_record_member
from bot.services.payments import PaymentInfo, do_create_item_order, do_create_plan_order
from tests.content.flows import record_and_reward
from bot.services.plans import do_add_plan
from bot.services.points_rules import Scoring
from bot.services.referrals import do_keep_invite
from bot.services.refunds import RefundEnv, do_refund
from bot.services.self_refunds import do_self_refund
from bot.services.settings import do_set_community_setting
from storage.db import Database
from storage.repos.growth import InviteLink

from tests.databases import DbUrls
from tests.fixtures import ALICE, BOB, CAROL, GROUP, PEOPLE, T0, open_community

SECRET = b"test-secret"
LEVELS = PointsConfig().levels
SETTINGS = Settings(payments=PaymentsConfig(refund_window_hours=48, refunds_per_month=1))


@dataclass
class Two:
    """Two processes on one database, a clock, and Telegram's refunds as they happened."""

    dbs: tuple[Database, Database]
    clock: FakeClock
    scoring: Scoring
    refunded: list[str]

    def refunds(self, n: int) -> RefundEnv:
        async def refund(user_id: int, charge_id: str) -> None:
            await asyncio.sleep(0)  # Telegram answers later than the database
            if charge_id not in self.refunded:  # a second refund: CHARGE_ALREADY_REFUNDED, counted as done
                self.refunded.append(charge_id)

        return RefundEnv(self.dbs[n], self.clock, self.scoring, refund)

    async def item(self, title: str, stars: int = 50) -> int:
        spec = PublishSpec(title, (), price_stars=stars)
        source = ContentSource("text", "notes", None)
        return (await do_publish_item(self.dbs[0], self.clock, GROUP.id, CAROL.id, spec, source)).id

    async def buy(self, item_id: int, buyer: UserInfo, charge: str, coupon_id: int | None = None) -> PaymentInfo:
        """An order of the item and the payment Telegram reports for it (not yet recorded)."""
        order, _ = await do_create_item_order(self.dbs[0], self.clock, PaymentsConfig(), SECRET, LEVELS, item_id,
                                              buyer, coupon_id)
        return PaymentInfo(buyer, charge, None, sign_order(order.id, SECRET), "XTR", order.amount, None, False)

    async def record(self, n: int, info: PaymentInfo, settings: Settings | None = None):
        return await record_and_reward(self.dbs[n], self.clock, self.scoring, SECRET, info, settings)

    async def scalar(self, sql: str, **params: object) -> object:
        async with self.dbs[1].read() as repos:
            return await repos.conn.scalar(sa.text(sql), params)


@pytest.fixture
async def two(postgres_urls: DbUrls) -> AsyncIterator[Two]:
    url = postgres_urls("money")
    first = await open_community(url, T0, PEOPLE, started=PEOPLE)
    second = await Database.open(url, migrate=False)
    try:
        yield Two((first, second), FakeClock(T0), Scoring(PointsConfig()), [])
    finally:
        await first.close()
        await second.close()


async def test_self_refunds_tapped_at_once_stay_within_the_monthly_limit(two: Two) -> None:
    for round_, buyer in enumerate((ALICE, BOB, ALICE, BOB)):
        if round_ == 2:
            two.clock.advance(days=31)  # a new month: one more refund each
        payments = []
        for n in range(2):
            info = await two.buy(await two.item(f"Notes {round_}.{n}"), buyer, f"c{round_}.{n}")
            outcome = await two.record(0, info)
            payments.append(outcome.payment.id)
        results = await asyncio.gather(
            *(do_self_refund(two.refunds(n), SETTINGS, buyer.id, payments[n]) for n in range(2)),
            return_exceptions=True,
        )
        refused = [r for r in results if isinstance(r, DomainError)]
        assert len(refused) == 1 and refused[0].key == "selfrefund.limit", results
    assert len(two.refunded) == 4
    assert await two.scalar("SELECT COUNT(*) FROM star_payments WHERE status = 'refunded'") == 4
    assert await two.scalar("SELECT COUNT(*) FROM entitlements WHERE status = 'active'") == 4


async def test_a_renewal_paid_while_the_last_period_is_refunded_keeps_its_period(two: Two) -> None:
    plan = await do_add_plan(two.dbs[0], two.clock, GROUP.id, CAROL.id, "Gold", 100)
    for round_, buyer in enumerate((ALICE, BOB, ALICE, BOB)):
        order, _, _ = await do_create_plan_order(two.dbs[0], two.clock, PaymentsConfig(), SECRET, plan.id, buyer)
        payload = sign_order(order.id, SECRET)
        now = two.clock.now()
        first = PaymentInfo(buyer, f"s{round_}.1", None, payload, "XTR", 100, now + dt.timedelta(days=30), True)
        await two.record(0, first)
        renewal = PaymentInfo(buyer, f"s{round_}.2", None, payload, "XTR", 100, now + dt.timedelta(days=60), False)
        # Carol refunds the first period in one process while the renewal is recorded in the other.
        await asyncio.gather(do_refund(two.refunds(0), GROUP.id, CAROL.id, first.charge_id), two.record(1, renewal))
        async with two.dbs[1].read() as repos:
            membership = await repos.plans.membership(GROUP.id, buyer.id)
        assert membership is not None and membership.expires_at == renewal.subscription_expiration, round_
        two.clock.advance(days=61)


async def test_two_payments_with_one_coupon_a_member_may_use_once(two: Two) -> None:
    coupon = await do_add_coupon(two.dbs[0], two.clock, GROUP.id, CAROL.id, CouponSpec("ONCE", percent=50))
    for round_, buyer in enumerate((ALICE, BOB)):
        infos = [await two.buy(await two.item(f"Guide {round_}.{n}"), buyer, f"k{round_}.{n}", coupon.id)
                 for n in range(2)]
        outcomes = await asyncio.gather(*(two.record(n, infos[n]) for n in range(2)))
        assert sorted(o.refund_due for o in outcomes) == [False, True]
    assert await two.scalar("SELECT uses FROM coupons WHERE id = :id", id=coupon.id) == 2
    assert await two.scalar("SELECT COUNT(*) FROM star_payments WHERE refund_reason = 'coupon'") == 2


async def test_two_admins_add_the_same_code_at_once(two: Two) -> None:
    for code in ("SPRING", "SUMMER", "AUTUMN"):
        results = await asyncio.gather(
            *(do_add_coupon(two.dbs[n % 2], two.clock, GROUP.id, CAROL.id, CouponSpec(code, percent=10 + n))
              for n in range(4)),
            return_exceptions=True,
        )
        refused = [r for r in results if isinstance(r, DomainError)]
        assert len(refused) == 3 and all(r.key == "coupon.exists" for r in refused), results
    assert await two.scalar("SELECT COUNT(*) FROM coupons WHERE status = 'active'") == 3
    assert await two.scalar("SELECT COUNT(*) FROM admin_audit WHERE action = 'coupon.add'") == 3


async def test_every_second_paying_newcomer_rewards_the_inviter_once(two: Two) -> None:
    scoring = Scoring(PointsConfig(purchase=0, referral_purchase=0))  # no points lock to order them
    two.scoring = scoring
    await do_set_community_setting(two.dbs[0], two.clock, GROUP.id, CAROL.id, "referral_reward_after", "2")
    link = InviteLink(GROUP.id, CAROL.id, "https://t.me/+carol", False)
    await do_keep_invite(two.dbs[0], two.clock, link)
    newcomers = [UserInfo(2000 + n, f"New{n}", None, None, "en") for n in range(8)]
    for newcomer in newcomers:
        await do_record_member(two.dbs[0], two.clock, SETTINGS.onboarding, GROUP.id, newcomer, "member",
                               invite_url=link.url)
    for pair in range(4):
        infos = [await two.buy(await two.item(f"Course {pair}.{n}"), newcomers[2 * pair + n], f"r{pair}.{n}")
                 for n in range(2)]
        await asyncio.gather(*(two.record(n, infos[n], SETTINGS) for n in range(2)))
    async with two.dbs[1].read() as repos:
        membership = await repos.plans.membership(GROUP.id, CAROL.id)
        notices = await repos.conn.scalar(sa.text("SELECT COUNT(*) FROM outbox WHERE kind = 'referrals/reward'"))
    assert notices == 4
    assert membership is not None and membership.expires_at == T0 + dt.timedelta(days=120)
