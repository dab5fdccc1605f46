"""Demo scene: a paid question (付费提问) — asked in private, paid with Stars, answered, posted with consent."""

from __future__ import annotations

from bot.demo_cast import Cast

WAIT = 30.0


async def scene_paid_questions(cast: Cast) -> None:
    """Carol takes paid questions; Alice asks one and pays; Carol answers by reply; Alice lets it be posted."""
    carol, alice, group = cast.carol, cast.alice, cast.group
    alice.stars = max(alice.stars, 100)
    await carol.send(group, "/set ask_price 25")
    await carol.expect(group, contains="price of a paid question", timeout=WAIT)
    await alice.send(None, "/askpaid Should my team move our nightly ETL from cron scripts to asyncio workers?")
    invoice = await alice.expect(timeout=WAIT)
    await alice.pay(invoice)
    await alice.expect(contains="was sent to the admins", timeout=WAIT)
    question = await carol.expect(contains="Paid question", timeout=WAIT)
    await carol.press(question, "Answer", timeout=WAIT)
    prompt = await carol.expect(contains="Reply to this message", timeout=WAIT)
    await carol.reply(prompt, "Only if the jobs wait on I/O: keep cron as the trigger and run the steps with a "
                              "TaskGroup inside one process; CPU-heavy steps stay in a process pool.")
    await carol.expect(contains="was sent to Alice", timeout=WAIT)
    answer = await alice.expect(contains="answered your paid question", timeout=WAIT)
    await alice.press(answer, "Post to the group", timeout=WAIT)
    await alice.expect(group, contains="A paid question, answered", timeout=WAIT)
