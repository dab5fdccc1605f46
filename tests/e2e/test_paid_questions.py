"""Paid questions end to end: /askpaid, the Stars invoice, the admins' Answer / Decline, the deadline refund."""

from __future__ import annotations


import pytest

from bot.runner import BotRunner
from jobs.paid_questions import PAID_QUESTIONS_JOB
from tests.fixtures import stored
from tgsim.world import MessageRecord

QUESTION = "How do I stop SQLite saying database is locked when two writers run?"
ANSWER = "Turn on WAL mode and set busy_timeout: the second writer waits instead of failing."


pytestmark = pytest.mark.usefixtures("payload_secret")  # Stars buying on (tests/fixtures.py)


@pytest.fixture
async def circle(sim, runner, group, carol, alice, bob):
    """Carol (the owner, admin) takes paid questions at ⭐ 30; Alice and Bob are members who started the bot."""
    await carol.start()
    await carol.expect()
    for user in (alice, bob):
        await user.start()
        await user.expect()
        await user.join(group)
        user.stars = 500
    await carol.send(group, "/set ask_price 30")
    await carol.expect(group, contains="✅ Saved. price of a paid question")
    return group


async def ask_and_pay(sim, runner: BotRunner, alice, carol, text: str = QUESTION) -> MessageRecord:
    """Alice asks with /askpaid and pays; return the question as Carol received it."""
    await alice.send(None, f"/askpaid {text}")
    invoice = await alice.expect()
    assert "invoice" in invoice.extra and invoice.extra["invoice"]["total_amount"] == 30, invoice.content
    paid = await alice.pay(invoice)
    assert paid.ok, paid.error_message
    await alice.expect(contains="was sent to the admins")
    notice = await carol.expect(contains="Paid question")
    assert text in notice.text and "Alice" in notice.text
    return notice


async def run_job(runner: BotRunner, name: str) -> None:
    app = runner.app
    (job,) = app.job_queue.get_jobs_by_name(name)
    await job.run(app)
    await app.bot_data.outbox.idle()


def refunds(sim) -> list[str]:
    return [charge for what, charge in sim.payments.order if what == "refund"]


async def statuses(runner: BotRunner) -> list[tuple[str, str | None]]:
    async with stored(runner.settings.storage.url) as repos:
        payments = {p.id: p.status for p in await repos.payments.list_all()}
        return [(q.status, payments.get(q.payment_id or 0)) for q in await repos.paid_questions.list_all()]


async def test_answered_once_despite_duplicate_payments_and_posted_with_consent(
    sim, runner, circle, carol, alice
) -> None:
    notice = await ask_and_pay(sim, runner, alice, carol)
    paid = [u for u, e in sim.updates.all.items() if e.kind == "message" and "successful_payment" in e.payload]
    copies = sim.duplicate_update(paid[-1], times=3)
    await runner.wait_processed(max(copies))
    await runner.app.bot_data.outbox.idle()
    assert len([m for m in sim.bot_messages(None, user=carol) if "Paid question" in m.text]) == 1
    assert await statuses(runner) == [("waiting", "paid")]
    assert alice.stars == 470

    await carol.press(notice, "Answer")
    prompt = await carol.expect(contains="Reply to this message")
    assert carol.force_reply_prompt() is prompt
    await carol.reply(prompt, ANSWER)
    await carol.expect(contains="was sent to Alice")
    answer = await alice.expect(contains="answered your paid question")
    assert ANSWER in answer.text and QUESTION in answer.text
    await carol.reply(prompt, "A second answer to the same prompt changes nothing.")
    await carol.expect(contains="already been settled")

    await alice.press(answer, "Post to the group")
    post = await alice.expect(circle, contains="A paid question, answered")
    assert QUESTION in post.text and "Q#1" in post.text and "Solved" in post.text
    assert not answer.buttons and (await alice.press_data(answer, "pq:p:1")).show_alert  # chosen already
    await alice.send(circle, "/q 1")
    assert ANSWER[:40] in (await alice.expect(circle, contains="Q#1")).text
    async with stored(runner.settings.storage.url) as repos:
        actions = [e.action for e in await repos.audit.list(circle.id)]
    assert actions.count("paid_question.answer") == 1
    assert await statuses(runner) == [("answered", "paid")] and not refunds(sim)


async def test_declined_is_refunded_and_told_and_members_cannot_answer_or_decline(
    sim, runner, circle, carol, alice, bob
) -> None:
    notice = await ask_and_pay(sim, runner, alice, carol)
    for member in (alice, bob):  # pressing the admin's buttons with forged presses: refused on the server
        for data in ("pq:a:1", "pq:d:1"):
            refused = await member.press_data(notice, data)
            assert refused.show_alert and ("admins" in refused.text or "管理员" in refused.text), refused
    assert await statuses(runner) == [("waiting", "paid")] and not refunds(sim)

    declined = await carol.press(notice, "Decline")
    assert "refunded ⭐ 30" in (declined.text or "")
    await alice.expect(contains="declined your paid question")
    assert alice.stars == 500 and len(refunds(sim)) == 1
    again = await carol.press_data(notice, "pq:d:1")  # the edited message lost its buttons: the guard says so
    assert again.show_alert
    await runner.wait_processed(sim.last_update_id)
    assert await statuses(runner) == [("declined", "refunded")] and len(refunds(sim)) == 1
    async with stored(runner.settings.storage.url) as repos:
        actions = [e.action for e in await repos.audit.list(circle.id)]
    assert actions.count("paid_question.decline") == 1 and actions.count("payment.refund") == 1


async def test_unanswered_past_the_deadline_is_refunded_once(sim, runner, circle, carol, alice, clock) -> None:
    notice = await ask_and_pay(sim, runner, alice, carol)
    clock.advance(days=3, minutes=1)
    late = await carol.press(notice, "Answer")
    assert late.show_alert and "deadline" in (late.text or "")
    await run_job(runner, PAID_QUESTIONS_JOB)
    await run_job(runner, PAID_QUESTIONS_JOB)  # a second pass refunds nothing twice
    await alice.expect(contains="Nobody answered your paid question in time")
    assert alice.stars == 500 and len(refunds(sim)) == 1
    assert await statuses(runner) == [("expired", "refunded")]


async def test_askpaid_needs_a_price_and_a_private_chat(sim, runner, group, carol, alice) -> None:
    await carol.start()
    await carol.expect()
    await alice.start()
    await alice.expect()
    await alice.join(group)
    await alice.send(None, f"/askpaid {QUESTION}")
    await alice.expect(contains="None of your communities takes paid questions")
    await alice.send(group, "/askpaid hello there, in public")
    await alice.expect(group, contains="Paid questions are private")
    await carol.send(group, "/set ask_price 20")
    await carol.expect(group, contains="✅ Saved. price of a paid question")
    await alice.send(None, "/askpaid short")
    await alice.expect(contains="Usage: /askpaid")
    async with stored(runner.settings.storage.url) as repos:
        assert await repos.paid_questions.list_all() == []
