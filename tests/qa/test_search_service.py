"""Suggestions and search through the services: the index follows the database."""

from __future__ import annotations

from bot.config import QaConfig
from bot.services.faq import do_add_faq, do_delete_faq
from bot.services.qa_search import QaIndex, get_suggestions, question_doc, search
from bot.services.questions import do_accept, do_answer, do_ask

from tests.qa.conftest import QaWorld

SQLITE = "Why is my SQLite database locked when two writers run?"
PROXY = "How do I install Python packages behind a corporate proxy?"


async def _solve(world: QaWorld, message_id: int, question: str, answer: str) -> None:
    await do_ask(world.env, world.group, world.alice, message_id, question)
    await do_answer(world.env, world.group, world.bob, message_id, message_id + 1, answer)
    await do_accept(world.env, world.group, world.alice.id, False, message_id + 1)


async def test_only_solved_questions_and_faq_are_suggested(world: QaWorld) -> None:
    env = world.env
    await do_ask(env, world.group, world.alice, 10, PROXY)  # open: never suggested
    assert not await get_suggestions(env.db, env.index, env.config, world.group, "install python packages proxy")
    await do_answer(env, world.group, world.bob, 10, 11, "Set HTTPS_PROXY and run pip again.")
    await do_accept(env, world.group, world.alice.id, False, 11)
    found = await get_suggestions(env.db, env.index, env.config, world.group, "install python packages via a proxy")
    assert [s.question.number for s in found.questions] == [1]
    assert found.questions[0].answer is not None and "HTTPS_PROXY" in found.questions[0].answer.text


async def test_faq_direct_answer_above_the_high_threshold_only(world: QaWorld) -> None:
    env = world.env
    await do_add_faq(env, world.group, world.carol.id, "How do I reset my password?", "Send /reset.")
    exact = await get_suggestions(env.db, env.index, env.config, world.group, "How do I reset my password?")
    loose = await get_suggestions(env.db, env.index, env.config, world.group, "password reset is broken for me")
    assert exact.faq_answer is not None and exact.faq_answer.number == 1
    assert loose.faq_answer is None
    await do_delete_faq(env, world.group, world.carol.id, 1)
    gone = await get_suggestions(env.db, env.index, env.config, world.group, "How do I reset my password?")
    assert not gone and gone.faq_answer is None


async def test_search_ranks_the_obvious_match_first_across_kinds(world: QaWorld) -> None:
    env = world.env
    await _solve(world, 10, SQLITE, "Turn on WAL mode and set a busy_timeout.")
    await _solve(world, 20, PROXY, "Set HTTPS_PROXY and run pip again.")
    await do_add_faq(env, world.group, world.carol.id, "How do I reset my password?", "Send /reset to the bot.")
    by_question = await search(env.db, env.index, env.config, world.group, "sqlite locked writers")
    by_answer = await search(env.db, env.index, env.config, world.group, "busy_timeout WAL")
    by_faq = await search(env.db, env.index, env.config, world.group, "reset password")
    assert by_question[0].question is not None and by_question[0].question.number == 1
    assert by_answer[0].question is not None and by_answer[0].question.number == 1
    assert by_faq[0].entry is not None and by_faq[0].entry.number == 1
    assert len({(r.question or r.entry).id for r in by_question}) == len(by_question)  # one line per target


async def test_a_fresh_index_loads_everything_from_the_database(world: QaWorld) -> None:
    env = world.env
    await _solve(world, 10, SQLITE, "Turn on WAL mode and set a busy_timeout.")
    await do_add_faq(env, world.group, world.carol.id, "How do I reset my password?", "Send /reset to the bot.")
    restarted = QaIndex(env.db, env.config)  # as after a restart
    found = await get_suggestions(env.db, restarted, env.config, world.group, "sqlite database locked by two writers")
    assert [s.question.number for s in found.questions] == [1]
    assert (await search(env.db, restarted, env.config, world.group, "busy_timeout"))[0].question is not None


async def test_background_refresh_after_enough_new_documents(world: QaWorld) -> None:
    config = QaConfig(index_refresh_docs=5)
    index = QaIndex(world.env.db, config)
    await index.add(world.group, [question_doc(100 + i, f"question number {i} about packaging") for i in range(5)])
    await index.close()  # waits for the refresh the fifth document scheduled
    similar = await index.get(world.group)
    assert similar.pending == 0 and len(similar) == 5
