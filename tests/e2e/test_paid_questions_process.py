"""A real `circlebot run`: a paid question unanswered past its deadline is refunded once, across kills."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal

from storage.db import Database
from tests.content.flows import SECRET
from tests.fixtures import outbox_settled, start_bot_process, stored

QUESTION = "Which index makes my nightly report query fast again?"


async def _start(sim, db_url: str) -> asyncio.subprocess.Process:
    # Only the pass at start looks at deadlines: the test decides when that is.
    return await start_bot_process(sim, db_url, CIRCLEBOT_PAYLOAD_SECRET=SECRET,
                                   CIRCLEBOT__PAYMENTS__ASK_CHECK_INTERVAL="3600")


async def _kill(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGKILL)
    await process.wait()


async def _states(db_url: str) -> list[tuple[str, str | None]]:
    async with stored(db_url) as repos:
        payments = {p.id: p.status for p in await repos.payments.list_all()}
        return [(q.status, payments.get(q.payment_id or 0)) for q in await repos.paid_questions.list_all()]


async def _states_are(db_url: str, expected: list[tuple[str, str | None]]) -> bool:
    return await _states(db_url) == expected


async def _deadline_passed(db_url: str) -> None:
    """The days to answer went by while the bot was down (its clock is the real one)."""
    db = await Database.open(db_url, migrate=False)
    try:
        async with db.transaction() as repos:
            (question,) = await repos.paid_questions.list_all()
            past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
            assert await repos.paid_questions.move(question.id, ("waiting",), "waiting", past, deadline_at=past)
    finally:
        await db.close()


def _refunds(sim) -> list[str]:
    return [charge for what, charge in sim.payments.order if what == "refund"]


async def test_unanswered_question_is_refunded_once_across_kills(sim, db_urls, carol, alice) -> None:
    db_url = db_urls('bot.db')
    process = await _start(sim, db_url)
    try:
        group = sim.group("Kill Circle", owner=carol, supergroup=True)
        await group.add_bot(by=carol, admin=True)
        await carol.expect(group, contains="Hello", timeout=30)
        await carol.start()
        await carol.expect(timeout=30)
        await alice.start()
        await alice.expect(timeout=30)
        await alice.join(group)
        alice.stars = 100
        await carol.send(group, "/set ask_price 30")
        await carol.expect(group, contains="✅ Saved", timeout=30)
        await alice.send(None, f"/askpaid {QUESTION}")
        invoice = await alice.expect(timeout=30)
        assert (await alice.pay(invoice)).ok
        await carol.expect(contains="Paid question", timeout=30)
        await sim.wait_until(lambda: _states_are(db_url, [("waiting", "paid")]), timeout=30)
        # Killed with nothing in flight: a notice sent but not yet marked would hold Alice's
        # chat (its later notices wait their turn) until its lease runs out, a minute on.
        await sim.wait_until(lambda: outbox_settled(db_url), timeout=30)
        await _kill(process)

        await _deadline_passed(db_url)
        # The first refund attempt fails (Telegram down): the question is expired, its refund still due.
        sim.fail_method("refundStarPayment", 502, "Bad Gateway", times=1)
        process = await _start(sim, db_url)
        await sim.wait_until(lambda: _states_are(db_url, [("expired", "refund_due")]), timeout=30)
        await _kill(process)
        assert alice.stars == 70 and not _refunds(sim)

        process = await _start(sim, db_url)  # the start-up repair pass refunds what is due, once
        await sim.wait_until(lambda: _states_are(db_url, [("expired", "refunded")]), timeout=30)
        await alice.expect(contains="Nobody answered your paid question in time", timeout=30)
        await _kill(process)
        process = await _start(sim, db_url)  # and a further start changes nothing
        await alice.send(None, "/help")
        await alice.expect(contains="/askpaid", timeout=30)
        assert alice.stars == 100 and len(_refunds(sim)) == 1
        told = [m for m in sim.bot_messages(None, user=alice) if "Nobody answered" in m.content]
        assert len(told) == 1
        assert await _states(db_url) == [("expired", "refunded")]
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
