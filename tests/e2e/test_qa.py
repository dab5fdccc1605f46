"""Q&A end to end: the real bot against the simulator, through PTB's dispatch."""

from __future__ import annotations

import pytest

from bot.config import Settings, load_settings
from bot.runner import BotRunner
from bot.services.points import Grant, do_award_points

QUESTION = "How do I install Python packages behind a corporate proxy?"
ANSWER = "Export HTTPS_PROXY=http://proxy:3128 and run pip install again."


@pytest.fixture
def settings(sim, db_urls) -> Settings:
    """Ordinary group messages earn nothing here, so the ledger shows Q&A points alone."""
    telegram = {"base_url": sim.base_url, "base_file_url": sim.base_file_url, "poll_timeout": 1}
    return load_settings(None, telegram=telegram, storage={"url": db_urls('bot.db')},
                         points={"message": 0})


async def _members(group, *users) -> None:
    for user in users:
        await user.join(group)


async def _started(*users) -> None:
    for user in users:
        await user.start()
        await user.expect()


async def _ledger(runner: BotRunner, group) -> dict[int, tuple[int, int]]:
    async with runner.app.bot_data.db.read() as repos:
        return await repos.ledger.sums(group.id)


async def _give(runner: BotRunner, group, user, points: int) -> None:
    state = runner.app.bot_data
    await runner.wait_processed(group.sim.last_update_id)  # the join that stores the user
    grant = Grant(group.id, user.id, points, "admin_award", f"test-give:{user.id}:{points}")
    await do_award_points(state.db, state.scoring, state.clock, grant)


async def _count_questions(runner: BotRunner, group) -> int:
    async with runner.app.bot_data.db.read() as repos:
        return await repos.questions.count_open(group.id)


async def _solved_question(group, asker, answerer, question: str, answer: str) -> None:
    await asker.send(group, f"/ask {question}")
    post = await asker.expect(group, contains="Q#")
    reply = await answerer.reply(post, answer)
    await asker.reply(reply, "/accept")
    await asker.expect(group, contains="is solved")


async def test_ask_suggests_a_solved_near_duplicate_in_english(sim, runner, group, alice, bob, carol) -> None:
    await _members(group, alice, bob)
    await _solved_question(group, alice, bob, QUESTION, ANSWER)
    await carol.send(group, "/ask How can I install python packages when I'm behind a proxy?")
    post = await carol.expect(group, contains="Q#2")
    assert any("Q#1" in text for text in post.button_texts), post.button_texts
    shown = await carol.press(post, "Q#1")
    assert shown.show_alert and "HTTPS_PROXY" in (shown.text or "")


async def test_ask_suggests_a_solved_near_duplicate_in_chinese(sim, runner, group, alice, bob, carol) -> None:
    await _members(group, alice, bob)
    await _solved_question(
        group, bob, alice, "如何在公司代理后面安装Python包？", "先设置 HTTPS_PROXY 环境变量，再运行 pip。"
    )
    await alice.send(group, "/ask 在代理后面怎么安装Python包")
    post = await alice.expect(group, contains="Q#2")
    assert any("Q#1" in text for text in post.button_texts), post.button_texts
    await alice.send(group, "/ask 周末有人一起去爬山吗？天气好像不错")
    unrelated = await alice.expect(group, contains="Q#3")
    assert unrelated.button_texts == []


async def test_faq_auto_answer_with_yes_no_from_the_asker_only(sim, runner, group, alice, bob, carol) -> None:
    await _members(group, alice, bob)
    await carol.send(group, "/faq add How do I reset my password? | Send /reset to the bot in private.")
    await carol.expect(group, contains="Added FAQ #1")
    await alice.send(group, "/ask How do I reset my password?")
    post = await alice.expect(group, contains="Q#1")
    offer = await alice.expect(group, contains="Did this answer your question")
    assert "Send /reset" in offer.text
    refused = await bob.press(offer, "Yes")
    assert refused.show_alert and "Only the person who asked" in refused.text
    await alice.press(offer, "Yes")
    await sim.wait_for(lambda: "✅ Solved" in (post.text or ""))
    assert "FAQ #1" in post.text and "Marked as solved" in offer.text and offer.buttons == []
    # "No" keeps the question open.
    await alice.send(group, "/ask How do I reset my password please?")
    await alice.expect(group, contains="Q#2")
    second = await alice.expect(group, contains="Did this answer")
    await alice.press(second, "No")
    assert "stays open" in second.text
    assert await _count_questions(runner, group) == 1


async def test_answer_by_reply_notifies_the_asker_in_private_and_stays_quiet(
    sim, runner, group, alice, bob
) -> None:
    await _members(group, alice, bob)
    await _started(alice)
    await alice.send(group, f"/ask {QUESTION}")
    post = await alice.expect(group, contains="Q#1")
    await bob.reply(post, ANSWER)
    note = await alice.expect(None, contains="New answer")
    assert "Q#1" in note.text and "HTTPS_PROXY" in note.text
    assert any(e.get("url", "").startswith("https://t.me/c/") for e in note.entities)
    # An answer to the asker's own /ask message counts too; a short reply does not.
    ask_message = next(m for m in sim.messages(group) if (m.text or "").startswith("/ask"))
    await bob.reply(ask_message, "Also check the NO_PROXY variable for internal hosts.")
    await alice.expect(None, contains="NO_PROXY")
    await bob.reply(post, "+1")
    await runner.wait_processed(sim.last_update_id)
    # Nothing in the group answers or mentions the answers.
    answers = {m.message_id for m in sim.messages(group) if m.sender is not None and m.sender.id == bob.id}
    assert not [m for m in sim.bot_messages(group) if m.reply_to is not None and m.reply_to.message_id in answers]
    assert not [m for m in sim.bot_messages(group) if "NO_PROXY" in (m.text or "") or "HTTPS" in (m.text or "")]


async def test_answer_to_an_asker_who_never_started_the_bot_sends_nothing_private(
    sim, runner, group, alice, bob
) -> None:
    await _members(group, alice, bob)
    await bob.send(group, f"/ask {QUESTION}")
    post = await bob.expect(group, contains="Q#1")
    await alice.reply(post, ANSWER)
    await runner.wait_processed(sim.last_update_id)
    assert sim.bot_messages(None, bob) == []  # the fixture also fails on any 403


async def test_accept_refused_for_others_then_asker_accepts_once(sim, runner, group, alice, bob, carol) -> None:
    await _members(group, alice, bob)
    dave = sim.user("Dave", username="dave")
    await dave.join(group)
    await alice.send(group, f"/ask {QUESTION}")
    post = await alice.expect(group, contains="Q#1")
    answer = await bob.reply(post, ANSWER)
    await dave.reply(answer, "/accept")
    assert "Only the person who asked" in (await dave.expect(group, contains="Only")).text
    await alice.reply(answer, "/accept")
    await alice.expect(group, contains="Q#1 is solved")
    accept_update = sim.last_update_id
    assert post.text.startswith("✅ Solved")
    link = next(e["url"] for e in post.entities if e["type"] == "text_link")
    assert link == f"https://t.me/c/{-group.id - 1_000_000_000_000}/{answer.message_id}"
    before = await _ledger(runner, group)
    copies = sim.duplicate_update(accept_update, times=2)
    await runner.wait_processed(max(copies))
    assert await _ledger(runner, group) == before
    assert before[bob.id][0] == 2 + 15 and before[alice.id][0] == 2 + 2
    assert sum("is solved" in (m.text or "") for m in sim.bot_messages(group)) == 1


async def test_bounty_paid_once_returned_on_close_refused_when_short(sim, runner, group, alice, bob) -> None:
    await _members(group, alice, bob)
    await _give(runner, group, alice, 100)
    await alice.send(group, "/ask +500 Who can review my async code this week?")
    await alice.expect(group, contains="not enough for a bounty of 500")
    assert await _count_questions(runner, group) == 0

    await alice.send(group, f"/ask +60 {QUESTION}")
    post = await alice.expect(group, contains="Q#1")
    assert "60" in post.text
    answer = await bob.reply(post, ANSWER)
    await alice.reply(answer, "/accept")
    done = await alice.expect(group, contains="is solved")
    assert "bounty of 60 points goes to Bob" in done.text
    copies = sim.duplicate_update(sim.last_update_id)
    await runner.wait_processed(max(copies))
    ledger = await _ledger(runner, group)
    assert ledger[bob.id][1] == 2 + 15 + 60 and ledger[alice.id][1] == 100 + 2 - 60 + 2

    await alice.send(group, "/ask +40 Is anyone going to the meetup on Friday?")
    await alice.expect(group, contains="Q#2")
    await alice.send(group, "/close 2")
    closed = await alice.expect(group, contains="closed")
    assert "goes back to Alice" in closed.text
    copies = sim.duplicate_update(sim.last_update_id)
    await runner.wait_processed(max(copies))
    assert (await _ledger(runner, group))[alice.id][1] == 100 + 2 - 60 + 2 + 2


async def test_search_ranks_the_obvious_match_first(sim, runner, group, alice, bob, carol) -> None:
    await _members(group, alice, bob)
    await _solved_question(group, alice, bob, "Why is my SQLite database locked with two writers?",
                           "Use WAL mode and a busy_timeout so writers wait.")
    await alice.send(group, f"/ask {QUESTION}")
    await alice.expect(group, contains="Q#2")
    await carol.send(group, "/faq add How do I reset my password? | Send /reset to the bot.")
    await carol.expect(group, contains="Added")
    await bob.send(group, "/search sqlite locked writers")
    results = await bob.expect(group, contains="Results")
    lines = results.text.splitlines()
    assert "Q#1" in lines[1] and "WAL mode" in results.text
    await bob.send(group, "/search password reset")
    assert "FAQ #1" in (await bob.expect(group, contains="Results")).text.splitlines()[1]
    await bob.send(group, "/search quantum chromodynamics")
    assert "Nothing matches" in (await bob.expect(group, contains="Nothing")).text


@pytest.mark.flood_limits
async def test_paging_buttons_change_only_that_list(sim, runner, group, alice) -> None:
    await _members(group, alice)
    for n in range(1, 8):
        await alice.send(group, f"/ask Question number {n} about packaging things")
        await alice.expect(group, contains=f"Q#{n}")
    await alice.send(group, "/questions")
    first = await alice.expect(group, contains="Open questions")
    await alice.send(group, "/questions")
    second = await alice.expect(group, contains="Open questions")
    assert "Q#7" in first.text and "Q#2" not in first.text
    await alice.press(first, "Next")
    assert "Q#2" in first.text and "Q#7" not in first.text and "page 2 of 2" in first.text
    assert "Q#7" in second.text and not second.edited
    await alice.press(first, "Back")
    assert "Q#7" in first.text


async def test_q_shows_a_thread(sim, runner, group, alice, bob) -> None:
    await _members(group, alice, bob)
    await _solved_question(group, alice, bob, QUESTION, ANSWER)
    await bob.send(group, "/q 1")
    thread = await bob.expect(group, contains="Answers:")
    assert "solved" in thread.text and "Answers: 1" in thread.text and "HTTPS_PROXY" in thread.text
    assert len([e for e in thread.entities if e["type"] == "text_link"]) == 2


async def test_bad_input_gets_usage_and_writes_nothing(sim, runner, group, alice, carol) -> None:
    await _members(group, alice)
    await alice.send(group, "/ask")
    assert "at least 10 characters" in (await alice.expect(group, contains="/ask")).text
    await alice.send(group, "/ask short")
    await alice.expect(group, contains="at least")
    await alice.send(group, "/q abc")
    assert "/q" in (await alice.expect(group, contains="Send /q")).text
    await alice.send(group, "/q 99")
    await alice.expect(group, contains="no such question")
    await alice.send(group, "/accept")
    await alice.expect(group, contains="Reply to an answer")
    await alice.send(group, "/close")
    await alice.expect(group, contains="/close")
    await alice.send(group, "/search")
    await alice.expect(group, contains="/search")
    await carol.send(group, "/faq add no separator in this one")
    await carol.expect(group, contains="/faq add")
    await alice.send(group, "/faq add Sneaky? | Sneaky answer.")
    await alice.expect(group, contains="Only the community's admins")
    await carol.send(group, "/faq del x")
    await carol.expect(group, contains="/faq del")
    await carol.send(group, "/faq")
    await carol.expect(group, contains="No FAQ entries yet")
    assert await _count_questions(runner, group) == 0
    await alice.start()
    await alice.expect()
    await alice.send(None, f"/ask {QUESTION}")
    await alice.expect(None, contains="community group")


async def test_chinese_community_texts(sim, runner, group, alice, bob, carol) -> None:
    await _members(group, alice, bob)
    await carol.send(group, "/set language zh")
    await carol.expect(group, contains="✅")
    await bob.send(group, "/ask 怎么在代理后面安装 Python 包？")
    post = await bob.expect(group, contains="Q#1")
    assert "回复这条消息即可回答" in post.text
    await bob.send(group, "/questions")
    assert "待解答的问题" in (await bob.expect(group, contains="待解答")).text


async def test_duplicated_ask_posts_once_and_close_by_replying_to_an_answer(sim, runner, group, alice, bob) -> None:
    await _members(group, alice, bob)
    await alice.send(group, f"/ask {QUESTION}")
    ask_update = sim.last_update_id
    post = await alice.expect(group, contains="Q#1")
    copies = sim.duplicate_update(ask_update, times=2)
    await runner.wait_processed(max(copies))
    assert sum("Q#" in (m.text or "") for m in sim.bot_messages(group)) == 1
    assert (await _ledger(runner, group))[alice.id][0] == 2
    answer = await bob.reply(post, ANSWER)
    await alice.reply(answer, "/close")
    await alice.expect(group, contains="Q#1 is closed")
    assert post.text.startswith("🔒 Closed")


async def test_a_suggestion_alert_shows_the_answer_as_written(sim, runner, group, alice, bob, carol) -> None:
    await _members(group, alice, bob)
    answer = "Use pip --proxy <host:port> & set HTTPS_PROXY too. " + "More detail follows here. " * 20
    await _solved_question(group, alice, bob, QUESTION, answer)
    await carol.send(group, "/ask How can I install python packages when I'm behind a proxy?")
    post = await carol.expect(group, contains="Q#2")
    shown = await carol.press(post, "Q#1")
    assert "--proxy <host:port> & set" in shown.text and "&lt;" not in shown.text and "&amp;" not in shown.text
    assert len(shown.text) <= 200 and shown.text.endswith("…")


async def test_closing_or_accepting_once_more_says_it_is_done_already(sim, runner, group, alice, bob) -> None:
    await _members(group, alice, bob)
    await _solved_question(group, alice, bob, QUESTION, ANSWER)
    answer = next(m for m in sim.messages(group) if m.text == ANSWER)
    await alice.reply(answer, "/accept")
    assert (await alice.expect(group, contains="already")).text == "Q#1 is already solved or closed."
    await alice.send(group, "/ask Is anyone going to the meetup on Friday?")
    await alice.expect(group, contains="Q#2")
    await alice.send(group, "/close 2")
    await alice.expect(group, contains="Q#2 is closed")
    for user in (alice, bob):
        await user.send(group, "/close 2")
        assert (await user.expect(group, contains="Q#2 is already")).text == "Q#2 is already solved or closed."
