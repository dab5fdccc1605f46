"""Any arguments, any chat, any person: every command gets its one clear answer and refusals write nothing.

One running bot per command family; hypothesis sends it commands with arbitrary arguments
(huge, negative, fractional and non-ASCII numbers, HTML-looking text, 5,000-character strings,
emoji, right-to-left text) from a member, the admin, an outsider and a Chinese-speaking member,
in the English group, the Chinese group or the private chat. For each one: the documented number
of replies in that chat, every text within Telegram's limits, in the language of that chat, no
error logged, and a refused command leaves the database exactly as it was.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, Phase, example, given, note, settings
from hypothesis import strategies as st

from bot.services.settings_registry import SETTINGS
from tests.e2e.circle import Circle, check_limits, check_rendering, check_sound, open_circle
from tgsim.world import MessageRecord
from tests.databases import DbUrls

PROPERTY = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    # One bot serves every example of a test (the world grows from one to the next), so a
    # failure cannot be replayed alone: report it as found instead of shrinking it.
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Arguments that have broken parsers somewhere: {group} and {zh} become the groups' ids.
ODD = [
    "²", "٣", "１２", "ⅷ", "<b>", "</b>", "<b>bold", "&amp;", "&lt;", "a < b", "-1", "0", "-0", "1.5", "1e3", "0x10",
    "+50", "+", "+-1", "|", "||", " | ", str(10**30), "-" + "9" * 20, "9" * 19, "🔥", "👍🏽", "\u202egnp.exe", "שלום",
    "مرحبا", "中文的问题", "\u200b", "@carol_admin", "@alice", "@bob", "@dave", "@nobody_here", "@", "#1", "Q1", "q#2",
    "\n", "  ", "{group}", "{zh}", "1", "2", "3", "5", "100", "10001", "all", "30d", "7d", "points",
]
token = st.one_of(
    st.sampled_from(ODD),
    st.integers(-(10**25), 10**25).map(str),
    st.integers(0, 6).map(str),
    st.text(min_size=1, max_size=12),
)
words = st.lists(token, max_size=6).map(" ".join)
long_text = st.tuples(st.sampled_from(["x", "字", "🔥", "<b>", "&amp;", "a ", "|"]), st.integers(600, 5000)).map(
    lambda p: p[0] * (p[1] // len(p[0]))
)
anything = st.one_of(words, words, st.text(max_size=40), long_text)


@dataclass(frozen=True)
class Call:
    """One command: who sends it, where, with what text, replying to which earlier message (counted from the end)."""

    who: str
    where: str
    text: str
    reply: int | None = None


def scripts(
    names: list[str], seen: list[str], args: st.SearchStrategy[str], *, replies: bool = False
) -> st.SearchStrategy[list[Call]]:
    """One to three commands of a family from anyone, anywhere, sometimes addressed to the bot by name.

    The arguments are the ones people send (seen) as often as anything else.
    """
    suffix = st.sampled_from(["", "", "", "@circle_bot"])
    usual = st.sampled_from(seen)
    text = st.tuples(st.sampled_from(names), suffix, st.one_of(usual, usual, args)).map(
        lambda p: f"/{p[0]}{p[1]}" + (f" {p[2]}" if p[2] else "")
    )
    call = st.builds(
        Call,
        who=st.sampled_from(["alice", "carol", "bob", "dave"]),
        where=st.sampled_from(["group", "zh_group", "private"]),
        text=text,
        reply=st.one_of(st.none(), st.integers(0, 6)) if replies else st.none(),
    )
    return st.lists(call, min_size=1, max_size=3)


def expected_replies(call: Call, private: bool) -> range:
    """How many messages answer a command: one, but /ask may add an FAQ answer and /start resumes onboarding."""
    name = call.text.split()[0][1:].split("@")[0]
    if name == "ask" and not private:
        return range(1, 3)
    if name == "start" and private:
        return range(1, 3)
    return range(1, 2)


async def run_script(circle: Circle, script: list[Call]) -> None:
    """Send the commands one after the other, checking each answer."""
    for call in script:
        await run_call(circle, call)


async def run_call(circle: Circle, call: Call) -> None:
    """Send the command and check everything an answer to it must satisfy."""
    user = circle.people[call.who]
    private = call.where == "private" or call.who == "dave"  # dave is in no group
    chat = None if private else getattr(circle, call.where)
    text = call.text.replace("{group}", str(circle.group.id)).replace("{zh}", str(circle.zh_group.id))
    target = _reply_target(circle, user, chat, call.reply)
    outcome = await circle.exchange(user, chat, text, reply_to=target)
    note(outcome.describe())
    if call.text.startswith("/start") and "users" in outcome.changed:
        outcome.changed.remove("users")  # the bot records that the person pressed Start, whatever the payload
    check_sound(outcome)
    check_rendering(circle.sim, outcome)
    check_limits(circle.sim)
    assert len(outcome.replies) in expected_replies(call, private), outcome.describe()


def _reply_target(circle: Circle, user, chat, back: int | None) -> MessageRecord | None:
    if back is None:
        return None
    record = circle.sim.chat_record(chat, user.record)
    visible = [m for m in record.messages.values() if not m.deleted and not m.is_service]
    return visible[-1 - back] if len(visible) > back else None


@pytest.fixture
async def circle(db_urls: DbUrls, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Circle]:
    async with open_circle(db_urls, monkeypatch) as world:
        yield world


# --- community settings ---------------------------------------------------------------------

setting_names = st.sampled_from(sorted({s.name for s in SETTINGS}) + ["LANGUAGE", "points.", "points.nope", "x" * 70])
setting_values = st.one_of(st.sampled_from(["en", "zh", "EN", "fr", "reset", "on", "off", "yes", "rules", "request",
                                            "UTC", "Asia/Shanghai", "Mars/Olympus", "python, rust", ""]), anything)


SETTINGS_SEEN = ["", "language zh", "language en", "language fr", "timezone Asia/Shanghai", "timezone Nowhere/Else",
                 "welcome Hi <b>there</b> &amp; welcome!", "rules Be kind.", "tags python, rust, 中文", "gate rules",
                 "gate off", "gate_timeout 0", "gate_timeout 99999", "points.message 5", "points.message -1",
                 "points.message reset", "points.announce_levels off", "language reset", "welcome", "welcome reset"]


@PROPERTY
@example(script=[Call("carol", "zh_group", "/set language en"), Call("carol", "zh_group", "/set language zh"),
                 Call("bob", "private", "/set language en"), Call("bob", "private", "/settings"),
                 Call("bob", "private", "/set language reset")])
@given(script=scripts(["settings", "set"], SETTINGS_SEEN, st.one_of(
    anything, st.tuples(setting_names, setting_values).map(lambda p: f"{p[0]} {p[1]}".strip())
)))
async def test_settings_commands_answer_once(circle: Circle, script: list[Call]) -> None:
    await run_script(circle, script)


# --- questions and answers ------------------------------------------------------------------

QUESTION = "How do I keep two SQLite writers from failing with 'database is locked'?"


async def _seed_questions(circle: Circle) -> None:
    group, alice, bob, carol = circle.group, circle.alice, circle.bob, circle.carol
    asked = await circle.exchange(alice, group, f"/ask {QUESTION}", snapshot=False)
    await circle.exchange(bob, group, "Use WAL mode and a busy_timeout, and keep transactions short.",
                          reply_to=asked.replies[0], snapshot=False)
    await circle.exchange(carol, group, "/faq add How do I reset my password? | Send /reset to the bot in private.",
                          snapshot=False)
    await circle.exchange(carol, circle.zh_group, "/ask 为什么我的机器人在群里不回复消息呢？", snapshot=False)


@pytest.fixture
async def qa_circle(circle: Circle) -> Circle:
    """The circle with a question (answered), an FAQ entry, and a question in the Chinese group."""
    await _seed_questions(circle)
    return circle


qa_args = st.one_of(
    anything,
    st.tuples(st.sampled_from(["add", "del", "delete", "ADD", "list"]), anything).map(" ".join),
    st.tuples(anything, anything).map(lambda p: f"add {p[0]} | {p[1]}"),
    st.tuples(st.sampled_from(["+", "+50", "+1", "+0", "+-5", "+" + "9" * 30]), anything).map(" ".join),
)


QA_SEEN = ["", "1", "2", "#1", "Q1", "99", "How do I reset my password in the bot?", "+10 Why is my SQLite database locked?",
           "+100000 What is the airspeed of a swallow?", "add Why? | Because.", "add Only a question", "del 1", "del 2",
           "list", "SQLite locked", "中文的问题是什么呢朋友们"]


@PROPERTY
@example(script=[Call("alice", "group", "/close 1"), Call("alice", "group", "/close 1"), Call("bob", "group", "/close 1")])
@example(script=[Call("carol", "group", "/faq add Is a < b & c? | Only if x > y & z."), Call("carol", "group", "/faq"),
                 Call("alice", "group", "/ask Is a < b & c when x is big?"), Call("alice", "group", "/ask " + "x" * 5000)])
@given(script=scripts(["ask", "q", "close", "accept", "questions", "search", "faq"], QA_SEEN, qa_args, replies=True))
async def test_qa_commands_answer_once(qa_circle: Circle, script: list[Call]) -> None:
    await run_script(qa_circle, script)


# --- paid content ---------------------------------------------------------------------------


async def _seed_content(circle: Circle) -> None:
    group, carol = circle.group, circle.carol
    for line in ("50 | Async patterns | python, async", "0 | Free intro | python",
                 "0 | Members guide | python | members", "0 | Points deal | python | points=5"):
        content = await carol.send(group, f"The content of {line.split('|')[1].strip()}: read me closely.")
        published = await circle.exchange(carol, group, f"/publish {line}", reply_to=content, snapshot=False)
        assert any("#" in m.content for m in published.others), published.describe()
    await circle.exchange(carol, group, "/plan add Gold 100", snapshot=False)


@pytest.fixture
async def shop_circle(circle: Circle) -> Circle:
    """The circle with four items (Stars, free, members-only, points) and a plan in the English group."""
    await _seed_content(circle)
    return circle


content_args = st.one_of(
    anything,
    st.tuples(st.sampled_from(["1", "2", "3", "4", "5", "0", "-1", "²"]), anything).map(" ".join),
    st.tuples(st.sampled_from(["1", "2", "4"]), st.sampled_from(["points", "POINTS", ""]), anything).map(" ".join),
    st.tuples(anything, anything, anything).map(lambda p: " | ".join(p)),
)


CONTENT_SEEN = ["", "1", "2", "1 5", "2 1", "1 0", "1 6", "9 3", "1 60", "2 0", "1 points 10", "4 points 0", "3",
                "10 | Extra | python", "0 | | ", "free | Title | tag", "5 | Title | tag | level=3 | points=7 | members"]


@PROPERTY
@example(script=[Call("carol", "group", "/publish"), Call("carol", "group", "/unpublish 2"),
                 Call("carol", "group", "/unpublish 2"), Call("alice", "private", "/rate 2 5")])
@given(script=scripts(["catalog", "publish", "price", "unpublish", "rate", "mycontent"], CONTENT_SEEN, content_args,
                      replies=True))
async def test_content_commands_answer_once(shop_circle: Circle, script: list[Call]) -> None:
    await run_script(shop_circle, script)


# --- payments -------------------------------------------------------------------------------

payment_args = st.one_of(
    anything,
    st.tuples(st.sampled_from(["add", "del", "delete", "rm", "list", "ADD"]), anything).map(" ".join),
    st.tuples(anything, st.sampled_from(["100", "0", "-5", "10001", "1.5", "²", "9" * 30])).map(
        lambda p: f"add {p[0]} {p[1]}"
    ),
    st.sampled_from(["stx" + "1" * 20, "charge_1", "'; DROP TABLE star_payments;--"]),
)


PAYMENTS_SEEN = ["", "list", "add Silver 50", "add Gold 100", "add Free 0", "add Huge 10001", "add 100", "del 1",
                 "del 2", "del 99", "stx-unknown-charge", "1"]


@PROPERTY
@example(script=[Call("carol", "group", "/plan del 1"), Call("carol", "group", "/plan del 1"),
                 Call("alice", "private", "/subscribe"), Call("bob", "group", "/subscribe")])
@given(script=scripts(["plan", "subscribe", "refund", "revenue"], PAYMENTS_SEEN, payment_args))
async def test_payment_commands_answer_once(shop_circle: Circle, script: list[Call]) -> None:
    await run_script(shop_circle, script)


# --- points ---------------------------------------------------------------------------------

points_args = st.one_of(
    anything,
    st.tuples(st.sampled_from(["@alice", "@bob", "@carol_admin", "@dave", "@ghost", "@a", "@" + "b" * 40]),
              st.sampled_from(["5", "0", "-5", "100000", "100001", "1.5", "²", "٣", "9" * 20]), anything).map(
        " ".join
    ),
)


POINTS_SEEN = ["", "all", "30d", "7d", "1d", "@alice 5 thanks", "@bob 10 great answer", "@carol_admin 1 self",
               "@dave 5 outsider", "@alice 100000 a lot", "@alice 5", "5 for the reply", "@alice 1000000 too many",
               "@bob 50 more than he has"]


@PROPERTY
@example(script=[Call("alice", "group", "/checkin"), Call("alice", "group", "/checkin"),
                 Call("carol", "group", "/award @alice 5 <b>thanks</b> & more"), Call("carol", "group", "/deduct @alice 500 x")])
@given(script=scripts(["me", "top", "checkin", "award", "deduct"], POINTS_SEEN, points_args, replies=True))
async def test_points_commands_answer_once(circle: Circle, script: list[Call]) -> None:
    await run_script(circle, script)


# --- start and help -------------------------------------------------------------------------

payloads = st.one_of(
    anything,
    st.sampled_from(["join_{group}", "join_{zh}", "item_1", "item_0", "item_-1", "catalog_{group}", "sub_{zh}",
                     "mycontent", "publish", "join_" + "9" * 20, "item_" + "9" * 21, "join_", "JOIN_{group}",
                     "catalog_{group} extra", "sub_²"]),
)


@PROPERTY
@example(script=[Call("dave", "private", "/start join_{group}"), Call("alice", "private", "/start"),
                 Call("bob", "private", "/start join_{zh}"), Call("carol", "group", "/help")])
@given(script=scripts(["start", "help"], ["", "join_{group}", "join_{zh}", "mycontent", "publish"], payloads))
async def test_start_and_help_answer_once(circle: Circle, script: list[Call]) -> None:
    await run_script(circle, script)
