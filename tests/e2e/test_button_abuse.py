"""Every button the bot makes, pressed the way a tampered or confused client would: refused, and nothing changes.

One bot and one world hold a message of every kind that carries callback buttons (Q post
suggestions, the FAQ answer's Yes/No, /questions and /faq pages, the private catalog and its
pages, item cards, ratings, /mycontent, /subscribe plans, the /publish community pick, the
onboarding rules and survey). Each button's data is then pressed altered (other ids,
out-of-range numbers, truncated, 64 bytes of junk), on a message of another kind, on a copy
forwarded to the wrong chat, and by the wrong person. Every press is answered (the simulator
recorded answerCallbackQuery) with an alert, in the chat's language, within 200 characters;
no message is sent, edited or deleted, no error is logged and the database is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from tests.e2e.circle import Circle, Outcome, check_limits, check_rendering, check_sound, open_circle
from tgsim import SimUser
from tgsim.world import MessageRecord
from tests.databases import DbUrls

QUESTION = "How do I keep two SQLite writers from failing with 'database is locked'?"
SIMILAR = "How do I keep SQLite writers from failing with database is locked errors?"
ANSWER = "Use WAL mode and a busy_timeout, and keep transactions short."
FAQ_QUESTION = "How do I reset my password?"


@dataclass
class Kind:
    """A message carrying one kind of button, who sees it, and what else to try on it."""

    name: str
    message: MessageRecord
    owner: SimUser  # the person the buttons are for
    outsider: SimUser | None = None  # someone in the same chat the buttons are not for

    @property
    def data(self) -> list[str]:
        return [b["callback_data"] for b in self.message.buttons if "callback_data" in b]

    @property
    def actions(self) -> list[str]:
        """One button's data per action (the part before the first number): rows of one kind differ only there."""
        first: dict[str, str] = {}
        for data in self.data:
            first.setdefault(re.split(r"-?\d", data, maxsplit=1)[0], data)
        return list(first.values())


async def _reply_with_buttons(circle: Circle, user: SimUser, chat, text: str, reply_to=None) -> MessageRecord:
    outcome = await circle.exchange(user, chat, text, reply_to=reply_to, snapshot=False)
    check_sound(outcome)
    found = [m for m in outcome.replies + outcome.others if any("callback_data" in b for b in m.buttons)]
    assert found, outcome.describe()
    return found[-1]


async def _press(circle: Circle, user: SimUser, message: MessageRecord, data: str) -> MessageRecord:
    outcome = await circle.press(user, message, data, snapshot=False)
    check_sound(outcome)
    assert outcome.answer is not None
    return message


async def _world(circle: Circle) -> dict[str, Kind]:
    """Build one message of every button kind."""
    group, zh, alice, bob, carol = circle.group, circle.zh_group, circle.alice, circle.bob, circle.carol
    do = circle.exchange
    kinds: dict[str, Kind] = {}

    # Q&A: a solved question and FAQ entries, then questions that get suggestions and an FAQ answer.
    asked = await do(alice, group, f"/ask {QUESTION}", snapshot=False)
    answer = await bob.reply(asked.replies[0], ANSWER)
    await do(alice, group, "/accept", reply_to=answer, snapshot=False)
    for n in range(3):
        await do(carol, group, f"/faq add {FAQ_QUESTION}{' Really?' * n} | Send /reset to the bot.", snapshot=False)
    post = await _reply_with_buttons(circle, bob, group, f"/ask {SIMILAR}")
    kinds["q post"] = Kind("q post", post, bob)
    faq_answer = await _reply_with_buttons(circle, alice, group, f"/ask {FAQ_QUESTION}")
    kinds["faq answer"] = Kind("faq answer", faq_answer, alice, outsider=bob)
    for n in range(3):
        await do(bob, group, f"/ask Question number {n} about asyncio event loops?", snapshot=False)
    kinds["questions page"] = Kind("questions page", await _reply_with_buttons(circle, alice, group, "/questions"), alice)
    kinds["faq page"] = Kind("faq page", await _reply_with_buttons(circle, alice, group, "/faq"), alice)
    await do(carol, zh, f"/ask {QUESTION}", snapshot=False)
    for n in range(3):
        await do(bob, zh, f"/ask 第{n}个关于异步事件循环的问题是什么？", snapshot=False)
    kinds["zh questions page"] = Kind("zh questions page", await _reply_with_buttons(circle, bob, zh, "/questions"), bob)

    # Paid content: items of every kind in the English group, a plan, and the private views of them.
    for line in ("50 | Async patterns | python", "0 | Free intro | python", "0 | Members guide | python | members",
                 "0 | Points deal | python | points=5"):
        content = await carol.send(group, f"The content of {line.split('|')[1].strip()}: read me closely.")
        await do(carol, group, f"/publish {line}", reply_to=content, snapshot=False)
    await do(carol, group, "/plan add Gold 100", snapshot=False)
    pick = Kind("catalog pick", await _reply_with_buttons(circle, alice, None, "/catalog"), alice)
    catalog = await _press(circle, alice, pick.message, next(d for d in pick.data if str(group.id) in d))
    kinds["catalog"] = Kind("catalog", catalog, alice)  # the pick, turned into the catalog's first page
    kinds["catalog pick"] = Kind("catalog pick", await _reply_with_buttons(circle, alice, None, "/catalog"), alice)
    for item, name in ((1, "stars card"), (4, "points card"), (3, "members card"), (2, "free card")):
        kinds[name] = Kind(name, await _reply_with_buttons(circle, alice, None, f"/start item_{item}"), alice)
    await do(carol, group, "/award @alice 20 for the great answers", snapshot=False)
    unlocked = await circle.press(alice, kinds["points card"].message, "ct:p:4", snapshot=False)
    rating = next(m for m in unlocked.replies + unlocked.others if any("ct:r:" in b.get("callback_data", "")
                                                                       for b in m.buttons))
    kinds["rating"] = Kind("rating", rating, alice)
    kinds["my content"] = Kind("my content", await _reply_with_buttons(circle, alice, None, "/mycontent"), alice)
    kinds["plans"] = Kind("plans", await _reply_with_buttons(circle, alice, None, "/subscribe"), alice)
    kinds["publish pick"] = Kind("publish pick", await _reply_with_buttons(circle, carol, None, "/publish"), carol)

    # Onboarding: the rules of the Chinese group for Bob, the survey of the English group for Alice.
    await do(carol, group, "/set tags python, rust, go", snapshot=False)
    kinds["rules"] = Kind("rules", await _reply_with_buttons(circle, bob, None, f"/start join_{zh.id}"), bob)
    rules = await _reply_with_buttons(circle, alice, None, f"/start join_{group.id}")
    survey = await _press(circle, alice, rules, rules.buttons[0]["callback_data"])
    kinds["survey"] = Kind("survey", survey, alice)
    await do(carol, None, "/cancel", snapshot=False)  # leave the publishing conversation
    return kinds


@pytest.fixture
async def buttons(db_urls: DbUrls, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Circle, dict[str, Kind]]]:
    overrides = {"qa": {"page_size": 2}, "payments": {"catalog_page_size": 1}}
    async with open_circle(db_urls, monkeypatch, **overrides) as circle:
        kinds = await _world(circle)
        assert all(kind.data for kind in kinds.values()), [k.name for k in kinds.values() if not k.data]
        yield circle, kinds


@asynccontextmanager
async def unchanged(circle: Circle, what: str) -> AsyncIterator[None]:
    """Check that the presses inside left the database as it was (one comparison for a batch of presses)."""
    before = await circle.dump()
    yield
    after = await circle.dump()
    assert after == before, f"{what} changed {[name for name in before if after[name] != before[name]]}"


def check_refused(circle: Circle, outcome: Outcome) -> None:
    """The press was answered with an alert, and the bot did nothing else (the database: see `unchanged`)."""
    assert outcome.answer is not None and outcome.answer.text and outcome.answer.show_alert, outcome.describe()
    check_sound(outcome)
    check_rendering(circle.sim, outcome)
    check_limits(circle.sim)
    assert not outcome.replies and not outcome.others, outcome.describe()
    assert not outcome.edited, [m.content[:100] for m in outcome.edited]


def altered(data: str) -> list[str]:
    """The button's data with other numbers, cut short, or replaced by junk (each at most 64 bytes)."""
    numbers = list(re.finditer(r"-?\d+", data))
    variants = [data[:-1], data[: len(data) // 2], data + "0", data.upper(), "x" * 64, "🔥" * 16,
                (data + ":" + "9" * 64)[:64]]
    for match in numbers:
        for other in ("0", "-1", str(int(match.group()) + 1), "9" * 20, "²"):
            variants.append(data[: match.start()] + other + data[match.end():])
    return [v for v in dict.fromkeys(variants) if v and v != data and len(v.encode()) <= 64]


async def test_altered_data_on_every_button_is_refused(buttons) -> None:
    circle, kinds = buttons
    for kind in kinds.values():
        async with unchanged(circle, f"altered presses on the {kind.name}"):
            for data in kind.actions:
                for variant in (v for v in altered(data) if v not in kind.data):
                    check_refused(circle, await circle.press(kind.owner, kind.message, variant, snapshot=False))


async def test_a_button_pressed_on_a_message_of_another_kind_is_refused(buttons) -> None:
    circle, kinds = buttons
    for kind in kinds.values():
        async with unchanged(circle, f"the {kind.name}'s buttons on other messages"):
            for other in kinds.values():
                if other.name == kind.name or other.message.chat is not kind.message.chat:
                    continue
                for data in kind.actions:
                    if data not in other.data:
                        check_refused(circle, await circle.press(other.owner, other.message, data, snapshot=False))


async def test_buttons_forwarded_to_the_wrong_chat_are_refused(buttons) -> None:
    circle, kinds = buttons
    for kind in kinds.values():
        private = kind.message.chat.type == "private"
        chat = circle.group if private else None
        if private and kind.owner is circle.bob:
            chat = circle.zh_group
        copy = await kind.owner.forward(kind.message, chat)
        await circle.settle(circle.sim.last_update_id)
        pressers = [kind.owner] + ([circle.bob if kind.owner is circle.alice else circle.alice] if private else [])
        async with unchanged(circle, f"the forwarded {kind.name}"):
            for presser in pressers:
                for data in kind.actions:
                    check_refused(circle, await circle.press(presser, copy, data, snapshot=False))


async def test_the_faq_answer_buttons_of_someone_elses_question_are_refused(buttons) -> None:
    circle, kinds = buttons
    faq = kinds["faq answer"]
    for user in (faq.outsider, circle.carol):
        for data in faq.data:
            outcome = await circle.press(user, faq.message, data)
            check_refused(circle, outcome)
            assert not outcome.changed, outcome.describe()
            assert "asked" in outcome.answer.text, outcome.describe()


@settings(max_examples=40, deadline=None, derandomize=True, database=None, phases=(Phase.explicit, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(pick=st.data())
async def test_any_data_on_any_button_message_is_answered(buttons, pick) -> None:
    circle, kinds = buttons
    kind = pick.draw(st.sampled_from(sorted(kinds.values(), key=lambda k: k.name)), label="message")
    junk = st.text(min_size=1, max_size=64).filter(lambda s: len(s.encode()) <= 64)
    prefixed = st.tuples(st.sampled_from(["qa:", "ct:", "onb:", "qa:pq:", "ct:c:", "onb:t:", "ct:r:1:"]), junk).map(
        lambda p: (p[0] + p[1]).encode()[:64].decode(errors="ignore")
    )
    data = pick.draw(st.one_of(junk, prefixed).filter(lambda d: bool(d) and d not in kind.data), label="data")
    outcome = await circle.press(kind.owner, kind.message, data)
    note(outcome.describe())
    check_refused(circle, outcome)
    assert not outcome.changed, outcome.describe()


async def test_buttons_that_outlived_what_they_offer_are_answered(buttons) -> None:
    """Pages past the end, unpublished items, deleted plans: each press still gets its answer."""
    circle, kinds = buttons
    group, alice, carol = circle.group, circle.alice, circle.carol
    for number in range(1, 8):
        await circle.exchange(carol, group, f"/close {number}", snapshot=False)
    for command in ("/unpublish 1", "/unpublish 3", "/unpublish 4", "/plan del 1", "/faq del 2", "/faq del 3"):
        await circle.exchange(carol, group, command, snapshot=False)
    stale = [
        (alice, "questions page", "qa:pq:1"), (alice, "faq page", "qa:pf:1"),
        (alice, "stars card", "ct:b:1"), (alice, "points card", "ct:p:4"), (alice, "members card", "ct:s:1"),
        (alice, "plans", "ct:s:1"), (alice, "catalog", kinds["catalog"].data[-1]), (alice, "rating", "ct:r:4:5"),
        (alice, "my content", "ct:o:4"),
    ]
    for user, name, data in stale:
        kind = kinds[name]
        assert data in kind.data, (name, data, kind.data)
        outcome = await circle.press(user, kind.message, data)
        check_sound(outcome)
        check_rendering(circle.sim, outcome)
        check_limits(circle.sim)
        assert outcome.answer is not None, (name, data)
        if outcome.refused:  # gone: an alert that says so, and nothing written (check_sound)
            assert outcome.answer.show_alert and outcome.answer.text, outcome.describe()
