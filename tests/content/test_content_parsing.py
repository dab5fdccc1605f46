"""Parsers and the payload signature: properties over many inputs, plus the documented examples."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import Usage
from bot.payload import sign_order, verify_order
from bot.services.content import PublishSpec, parse_options, parse_publish
from bot.services.plans import parse_plan_add
from bot.views.content_data import ACTIONS, decode, encode

SECRET = b"k" * 32


def test_publish_line_examples() -> None:
    assert parse_publish("50 | Async guide | python, Async", 10000) == PublishSpec(
        "Async guide", ("python", "async"), price_stars=50
    )
    spec = parse_publish("0 | Deep dive | - | level=3 | points=120 | members", 10000)
    assert spec == PublishSpec("Deep dive", (), None, 120, 3, True)
    assert parse_publish("0 | Free talk | talks", 10000).price_stars is None


@pytest.mark.parametrize(
    "line",
    ["", "50", "50 | title", "-1 | t | x", "10001 | t | x", "5 | | x", "5 | t | x | level=1", "5 | t | x | level",
     "5 | t | x | points=0", "5 | t | x | members=1", "5 | t | x | level=2 | level=3", "5 | t | x | vip"],
)
def test_publish_line_refuses_bad_input(line: str) -> None:
    with pytest.raises(Usage):
        parse_publish(line, 10000)


@given(st.text(max_size=200))
def test_publish_parser_never_crashes(text: str) -> None:
    try:
        spec = parse_publish(text, 10000)
    except Usage:
        return
    assert spec.title and len(spec.title) <= 100
    assert spec.price_stars is None or 1 <= spec.price_stars <= 10000
    assert all(tag == tag.lower() and tag for tag in spec.tags)


@given(st.lists(st.sampled_from(["level=2", "level=99", "points=5", "members", "-", ""]), max_size=5))
def test_options_each_at_most_once(words: list[str]) -> None:
    names = [w.split("=")[0] for w in words if w not in ("-", "")]
    if len(names) != len(set(names)):
        with pytest.raises(Usage):
            parse_options(words)
    else:
        assert set(parse_options(words)) == set(names)


def test_plan_add_parsing() -> None:
    assert parse_plan_add(["Gold", "club", "300"], 10000) == ("Gold club", 300, None)
    assert parse_plan_add(["Gold", "300", "trial=7"], 10000) == ("Gold", 300, 7)
    for args in (["Gold"], ["300"], ["Gold", "0"], ["Gold", "x"], ["A" * 40, "5"], ["Gold", "300", "trial=0"],
                 ["Gold", "300", "trial=91"], ["Gold", "300", "trial=x"], ["Gold", "trial=7"]):
        with pytest.raises(Usage):
            parse_plan_add(args, 10000)


@given(st.integers(min_value=1, max_value=10**15))
def test_payload_round_trip_and_size(order_id: int) -> None:
    payload = sign_order(order_id, SECRET)
    assert 1 <= len(payload.encode()) <= 128
    assert verify_order(payload, SECRET) == order_id
    assert verify_order(payload, b"other secret") is None
    assert verify_order(payload, None) is None


@given(st.integers(min_value=1, max_value=10**9), st.integers(min_value=0, max_value=60), st.characters())
def test_altered_payload_is_refused(order_id: int, position: int, char: str) -> None:
    payload = sign_order(order_id, SECRET)
    position %= len(payload)
    altered = payload[:position] + char + payload[position + 1:]
    if altered != payload:
        assert verify_order(altered, SECRET) is None


def test_payload_for_another_order_is_refused() -> None:
    tag = sign_order(7, SECRET).split(".")[1]
    assert verify_order(f"o8.{tag}", SECRET) is None


@given(st.sampled_from(sorted(ACTIONS)), st.lists(st.integers(min_value=-(10**15), max_value=10**15), max_size=2))
def test_callback_data_round_trip(action: str, args: list[int]) -> None:
    if len(args) != ACTIONS[action]:
        with pytest.raises(ValueError):
            encode(action, *args)
        return
    data = encode(action, *args)
    assert len(data.encode()) <= 64
    decoded = decode(data)
    assert decoded is not None and decoded.action == action and decoded.args == tuple(args)


@given(st.text(max_size=80))
def test_forged_callback_data_never_crashes(data: str) -> None:
    decoded = decode(data)
    if decoded is not None:
        assert decoded.action in ACTIONS and len(decoded.args) == ACTIONS[decoded.action]
