"""PostgreSQL: a paid question settled, and a broadcast sent or stopped, by two processes at once."""

from __future__ import annotations

import asyncio
import datetime as dt

import sqlalchemy as sa

from bot.clock import FakeClock
from bot.config import PointsConfig, Settings
from bot.errors import DomainError
from bot.payload import sign_order
from bot.services.broadcasts import do_cancel_broadcast, do_draft_broadcast, do_send_broadcast
from bot.services.paid_questions import PaidEnv, do_answer_paid, do_create_question_order, do_decline_paid
from bot.services.paid_questions import do_draft, do_expire_overdue
from bot.services.payments import PaymentInfo
from tests.content.flows import record_and_reward
from bot.services.points_rules import Scoring
from bot.services.settings import do_set_community_setting
from storage.db import Database

from tests.fixtures import ALICE, BOB, CAROL, GROUP, T0

SECRET = b"test-secret"


async def _scalar(db: Database, sql: str, **params: object) -> object:
    async with db.read() as repos:
        return await repos.conn.scalar(sa.text(sql), params)


async def test_answer_decline_and_deadline_at_once_settle_a_paid_question_once(two: tuple[Database, Database]) -> None:
    clock = FakeClock(T0)
    await do_set_community_setting(two[0], clock, GROUP.id, CAROL.id, "ask_price", "20")
    await do_set_community_setting(two[0], clock, GROUP.id, CAROL.id, "ask_answer_days", "1")
    envs = [PaidEnv(db, clock, Settings()) for db in two]
    late = PaidEnv(two[1], FakeClock(T0 + dt.timedelta(days=1)), Settings())  # the deadline pass, just due
    for round_ in range(6):
        asker = (ALICE, BOB)[round_ % 2]
        draft = await do_draft(envs[0], asker, f"Round {round_}: which lock settles a paid question once?")
        order, _, _ = await do_create_question_order(envs[0], SECRET, draft.question.id, GROUP.id, asker)
        info = PaymentInfo(asker, f"q{round_}", None, sign_order(order.id, SECRET), "XTR", 20, None, False)
        await record_and_reward(two[0], clock, Scoring(PointsConfig()), SECRET, info)
        qid = draft.question.id
        late.clock.set(clock.now() + dt.timedelta(days=1))
        results = await asyncio.gather(
            do_answer_paid(envs[0], qid, CAROL, True, "A conditional status change, checked again after the wait."),
            do_decline_paid(envs[1], qid, CAROL.id, True),
            do_expire_overdue(late),
            return_exceptions=True,
        )
        answered, declined, expired = results
        won = [not isinstance(answered, BaseException), not isinstance(declined, BaseException) and declined.changed,
               bool(expired)]
        assert sum(won) == 1, results
        assert all(isinstance(r, (DomainError, list)) or not isinstance(r, BaseException) for r in results), results
        status = await _scalar(two[0], "SELECT status FROM paid_questions WHERE id = :id", id=qid)
        payment = await _scalar(two[0], "SELECT status FROM star_payments WHERE charge_id = :c", c=info.charge_id)
        assert (status, payment) == (("answered", "paid"), ("declined", "refund_due"), ("expired", "refund_due"))[
            won.index(True)], results
        clock.advance(hours=1)


async def test_a_broadcast_stopped_while_it_is_sent_queues_nothing_that_goes_out(
    two: tuple[Database, Database],
) -> None:
    clock = FakeClock(T0)
    for round_ in range(12):
        broadcast, reach = await do_draft_broadcast(two[0], clock, Settings(), GROUP.id, CAROL.id, f"News {round_}")
        assert reach == 2

        async def cancel(delay: int) -> object:
            for _ in range(delay):  # the stop lands at a different step of the send each round
                await asyncio.sleep(0)
            return await do_cancel_broadcast(two[1], clock, broadcast.id, CAROL.id)

        sent, cancelled = await asyncio.gather(
            do_send_broadcast(two[0], clock, Settings(), broadcast.id, CAROL.id), cancel(round_)
        )
        status = await _scalar(two[0], "SELECT status FROM broadcasts WHERE id = :id", id=broadcast.id)
        pending = await _scalar(two[0], "SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE :k AND status = 'pending'",
                                k=f"broadcast:{broadcast.id}:%")
        assert cancelled is not None and status == "cancelled", (round_, sent, status)
        assert pending == 0, (round_, sent is not None)
