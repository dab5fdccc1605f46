"""Numbers in commands, buttons and links: huge or non-ASCII digits get a clear answer, never a crash."""

from __future__ import annotations

import logging

import pytest

from bot.numbers import INT64_MAX, parse_chat_id, parse_id, parse_int

HUGE = str(10**30)
APOLOGY = "Sorry, something went wrong"


def test_parse_int_takes_ascii_digits_within_bounds_only() -> None:
    assert parse_int("42") == 42 and parse_int(" 7 ", 1, 10) == 7
    for bad in ("²", "٣", "1²", "4.5", "-1", "", None, HUGE, str(INT64_MAX + 1), "0x10", "1e3"):
        assert parse_int(bad) is None, bad
    assert parse_int("11", 1, 10) is None and parse_int(str(INT64_MAX)) == INT64_MAX
    assert parse_id("#12") == 12 and parse_id("0") is None
    assert parse_chat_id("-1001234567890") == -1001234567890 and parse_chat_id("9" * 20) is None


COMMANDS = [
    f"/q {HUGE}", "/q ²", f"/close {HUGE}", "/close ²", f"/rate {HUGE} 5", "/rate 1 ²", "/rate ² 5",
    f"/unpublish {HUGE}", "/unpublish ²", f"/price {HUGE} 5", "/price 5 ²", f"/faq del {HUGE}", "/faq del ²",
    f"/plan del {HUGE}", "/plan del ²", "/plan add Gold ²", f"/plan add Gold {HUGE}", "/catalog ²",
    f"/catalog {HUGE}", "/publish ² | t | x",
]


@pytest.mark.parametrize("text", COMMANDS)
async def test_numeric_arguments_get_a_clear_reply(sim, runner, group, carol, text, caplog) -> None:
    caplog.set_level(logging.ERROR)
    await carol.send(group, text)
    answer = await carol.expect(group)
    assert APOLOGY not in answer.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]


@pytest.mark.parametrize("payload", [f"join_{'9' * 20}", f"item_{'9' * 20}", f"catalog_{'9' * 20}", f"sub_{'9' * 20}"])
async def test_deep_links_with_huge_ids_get_the_overview(runner, alice, payload, caplog) -> None:
    caplog.set_level(logging.ERROR)
    await alice.start(payload)
    assert "Welcome, Alice" in (await alice.expect()).text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("data", [f"ct:{a}:{'9' * 20}" for a in "bosciu"] + [f"onb:a:{'9' * 20}", "ct:c:1:" + "9" * 20])
async def test_buttons_with_huge_numbers_are_answered(runner, alice, data, caplog) -> None:
    caplog.set_level(logging.ERROR)
    await alice.start()
    card = await alice.expect()
    answer = await alice.press_data(card, data)
    assert answer.text and APOLOGY not in answer.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
