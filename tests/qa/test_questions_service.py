"""Q&A services against a fresh database: asking, answering, accepting, closing, bounties."""

from __future__ import annotations

import pytest

from bot.errors import DomainError, NotAdmin, NotFound
from bot.services.questions import do_accept, do_answer, do_ask, do_close, do_faq_feedback, do_record_post
from storage.models_qa import Question

from tests.qa.conftest import QaWorld

QUESTION = "How do I install Python packages behind a proxy?"
ANSWER = "Set HTTPS_PROXY before running pip install."


async def _question(world: QaWorld, number: int) -> Question:
    async with world.env.db.read() as repos:
        question = await repos.questions.by_number(world.group, number)
    assert question is not None
    return question


async def _ask_and_answer(world: QaWorld, bounty: int = 0) -> tuple[Question, int]:
    asked = await do_ask(world.env, world.group, world.alice, 10, QUESTION, bounty)
    answered = await do_answer(world.env, world.group, world.bob, 10, 11, ANSWER)
    assert answered is not None
    return asked.question, answered.answer.message_id


async def test_questions_are_numbered_per_community_and_replays_find_the_same(world: QaWorld) -> None:
    first = await do_ask(world.env, world.group, world.alice, 10, QUESTION)
    second = await do_ask(world.env, world.group, world.bob, 12, "Why is my SQLite database locked?")
    again = await do_ask(world.env, world.group, world.alice, 10, QUESTION)
    assert (first.question.number, second.question.number) == (1, 2)
    assert first.created and not again.created and again.question.id == first.question.id
    assert await world.score(world.alice) == 2  # question asked, once


async def test_answer_by_reply_to_the_question_or_the_post(world: QaWorld) -> None:
    asked = await do_ask(world.env, world.group, world.alice, 10, QUESTION)
    await do_record_post(world.env, asked.question.id, 20)
    by_question = await do_answer(world.env, world.group, world.bob, 10, 21, ANSWER)
    by_post = await do_answer(world.env, world.group, world.dave, 20, 22, "Or use a pip.conf with proxy = …")
    assert by_question is not None and by_post is not None
    assert not await do_answer(world.env, world.group, world.dave, 20, 23, "thanks!")  # too short
    assert not await do_answer(world.env, world.group, world.dave, 99, 24, ANSWER)  # not a question
    assert not await do_answer(world.env, world.group, world.bob, 10, 21, ANSWER)  # replay
    assert (await _question(world, 1)).answer_count == 2
    assert await world.score(world.bob) == 2 and await world.score(world.dave) == 2


async def test_asker_who_started_the_bot_is_notified_once(world: QaWorld) -> None:
    await _ask_and_answer(world)
    async with world.env.db.read() as repos:
        queued = await repos.outbox.due(world.clock.now(), 10)
    notes = [m for m in queued if m.chat_id == world.alice.id]
    assert [(m.kind, m.params["number"]) for m in notes] == [("qa/answered", 1)]
    # Bob never started the bot: his question's answers queue nothing for him.
    await do_ask(world.env, world.group, world.bob, 30, "What does the borrow checker complain about?")
    await do_answer(world.env, world.group, world.alice, 30, 31, "Show us the error message, please.")
    async with world.env.db.read() as repos:
        assert not [m for m in await repos.outbox.due(world.clock.now(), 10) if m.chat_id == world.bob.id]


async def test_self_answer_earns_nothing_and_is_not_notified(world: QaWorld) -> None:
    await do_ask(world.env, world.group, world.alice, 10, QUESTION)
    answered = await do_answer(world.env, world.group, world.alice, 10, 11, "Never mind, I found the answer myself.")
    assert answered is not None and not answered.notified
    assert await world.score(world.alice) == 2


async def test_accept_by_someone_else_is_refused_and_by_asker_awards_once(world: QaWorld) -> None:
    question, answer_message = await _ask_and_answer(world)
    with pytest.raises(NotAdmin):
        await do_accept(world.env, world.group, world.dave.id, False, answer_message)
    done = await do_accept(world.env, world.group, world.alice.id, False, answer_message)
    replay = await do_accept(world.env, world.group, world.alice.id, False, answer_message)
    assert done.changed and done.rewarded and not replay.changed
    assert done.question.status == "solved" and done.question.accepted_answer_id == done.answer.id
    assert await world.score(world.bob) == 2 + 15
    assert await world.score(world.alice) == 2 + 2


async def test_admin_may_accept_and_closing_a_solved_question_is_refused(world: QaWorld) -> None:
    _, answer_message = await _ask_and_answer(world)
    done = await do_accept(world.env, world.group, world.carol.id, True, answer_message)
    assert done.rewarded
    with pytest.raises(DomainError) as refused:
        await do_close(world.env, world.group, world.alice.id, False, number=1)
    assert refused.value.key == "qa.not_open"


async def test_self_accept_earns_nothing(world: QaWorld) -> None:
    await do_ask(world.env, world.group, world.alice, 10, QUESTION)
    await do_answer(world.env, world.group, world.alice, 10, 11, "Found it: pip --proxy http://host:3128")
    done = await do_accept(world.env, world.group, world.alice.id, False, 11)
    assert done.changed and not done.rewarded
    assert await world.score(world.alice) == 2


async def test_accept_needs_an_answer(world: QaWorld) -> None:
    await do_ask(world.env, world.group, world.alice, 10, QUESTION)
    with pytest.raises(NotFound) as missing:
        await do_accept(world.env, world.group, world.alice.id, False, 10)
    assert missing.value.key == "qa.accept.not_answer"


async def test_bounty_is_held_then_paid_once(world: QaWorld) -> None:
    await world.give(world.alice, 100)
    question, answer_message = await _ask_and_answer(world, bounty=50)
    assert question.bounty == 50 and await world.balance(world.alice) == 100 + 2 - 50
    for _ in range(2):
        await do_accept(world.env, world.group, world.alice.id, False, answer_message)
    assert await world.balance(world.bob) == 2 + 15 + 50
    assert await world.balance(world.alice) == 100 + 2 - 50 + 2
    # The bounty moves the spendable balance only, not the score behind levels and boards.
    assert await world.score(world.bob) == 2 + 15


async def test_bounty_returned_on_close_once(world: QaWorld) -> None:
    await world.give(world.alice, 60)
    await do_ask(world.env, world.group, world.alice, 10, QUESTION, 60)
    assert await world.balance(world.alice) == 2
    with pytest.raises(NotAdmin):
        await do_close(world.env, world.group, world.bob.id, False, number=1)
    closed = await do_close(world.env, world.group, world.alice.id, False, number=1)
    again = await do_close(world.env, world.group, world.alice.id, False, message_id=10)
    assert closed.changed and closed.bounty_returned == 60 and not again.changed
    assert await world.balance(world.alice) == 62
    assert not await do_answer(world.env, world.group, world.bob, 10, 11, ANSWER)  # closed: no answers


async def test_bounty_refused_when_short_writes_nothing(world: QaWorld) -> None:
    await world.give(world.alice, 10)
    with pytest.raises(DomainError) as short:
        await do_ask(world.env, world.group, world.alice, 10, QUESTION, 50)
    assert short.value.key == "qa.bounty.short" and short.value.params == {"bounty": 50, "balance": 10, "count": 10}
    async with world.env.db.read() as repos:
        assert await repos.questions.count_open(world.group) == 0
    assert await world.balance(world.alice) == 10


async def test_self_accepted_bounty_goes_back_to_the_asker(world: QaWorld) -> None:
    await world.give(world.alice, 30)
    await do_ask(world.env, world.group, world.alice, 10, QUESTION, 30)
    await do_answer(world.env, world.group, world.alice, 10, 11, "Found it: pip --proxy http://host:3128")
    done = await do_accept(world.env, world.group, world.alice.id, False, 11)
    assert done.bounty_returned == 30 and done.bounty_paid == 0
    assert await world.balance(world.alice) == 30 + 2


async def test_ledger_keys_are_unique_after_every_path(world: QaWorld) -> None:
    await world.give(world.alice, 200)
    await _ask_and_answer(world, bounty=40)
    await do_accept(world.env, world.group, world.alice.id, False, 11)
    await do_ask(world.env, world.group, world.alice, 40, "A second question with a bounty on it", 40)
    await do_close(world.env, world.group, world.carol.id, True, number=2)
    await do_close(world.env, world.group, world.carol.id, True, number=2)
    async with world.env.db.read() as repos:
        keys = await repos.ledger.keys(world.group)
        totals = await repos.ledger.member_totals(world.group)
    assert len(keys) == len(set(keys))
    assert totals == await world.balances()
    assert await world.balance(world.alice) == 200 + 2 + 2 - 40 + 2


async def test_faq_feedback_only_from_the_asker_and_yes_solves(world: QaWorld) -> None:
    async with world.env.db.transaction() as repos:
        entry = await repos.faq.create(
            world.group, "How do I reset my password?", "Use /reset.", world.carol.id, world.clock.now()
        )
    asked = await do_ask(world.env, world.group, world.alice, 10, "How can I reset my password?")
    await do_record_post(world.env, asked.question.id, 20, entry.id)
    with pytest.raises(NotAdmin):
        await do_faq_feedback(world.env, world.group, 1, world.bob.id, True)
    no = await do_faq_feedback(world.env, world.group, 1, world.alice.id, False)
    assert not no.changed and no.question.status == "open"
    yes = await do_faq_feedback(world.env, world.group, 1, world.alice.id, True)
    assert yes.changed and yes.question.status == "solved" and yes.question.faq_id == entry.id
    assert not (await do_faq_feedback(world.env, world.group, 1, world.alice.id, True)).changed
