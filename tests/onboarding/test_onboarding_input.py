"""Parsers: /set values for onboarding settings, and the onboarding buttons' callback data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import Usage
from bot.services.community_options import MAX_TAG_CHARS, MAX_TAGS, parse_option, parse_tags
from handlers.onboarding import Press


def test_tags_are_split_trimmed_and_deduplicated() -> None:
    assert parse_tags(" Python ,web，数据、 python ;  Machine   learning ") == [
        "Python", "web", "数据", "Machine learning",
    ]


@pytest.mark.parametrize("raw", ["", " , ,", ",".join(f"t{i}" for i in range(MAX_TAGS + 1)), "x" * (MAX_TAG_CHARS + 1)])
def test_bad_tag_lists_get_usage(raw: str) -> None:
    with pytest.raises(Usage) as caught:
        parse_tags(raw)
    assert caught.value.key == "set.bad_tags"


@given(st.text(max_size=300))
def test_parse_tags_either_gives_valid_tags_or_usage(raw: str) -> None:
    try:
        tags = parse_tags(raw)
    except Usage:
        return
    assert 1 <= len(tags) <= MAX_TAGS
    assert len({t.casefold() for t in tags}) == len(tags)
    assert all(t and t == t.strip() and len(t) <= MAX_TAG_CHARS and "," not in t for t in tags)


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("gate", "RULES", "rules"),
        ("gate", "reset", None),
        ("gate_timeout", "45", 45),
        ("welcome", "  Hi there\nfriend ", "Hi there\nfriend"),
        ("rules", "Reset", None),
    ],
)
def test_good_values(key: str, raw: str, expected: object) -> None:
    assert parse_option(key, raw) == expected


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("gate", "maybe", "set.bad_gate"),
        ("gate_timeout", "0", "set.bad_gate_timeout"),
        ("gate_timeout", "1441", "set.bad_gate_timeout"),
        ("gate_timeout", "٣٠", "set.bad_gate_timeout"),
        ("gate_timeout", "-5", "set.bad_gate_timeout"),
        ("welcome", "x" * 1001, "set.too_long"),
        ("welcome", "   ", "set.usage.welcome"),
    ],
)
def test_bad_values_get_their_usage(key: str, raw: str, message: str) -> None:
    with pytest.raises(Usage) as caught:
        parse_option(key, raw)
    assert caught.value.key == message


presses = st.one_of(
    st.builds(Press, st.sampled_from(["accept", "done"]), st.integers(-(10**13), 10**13)),
    st.builds(Press, st.just("tag"), st.integers(-(10**13), 10**13), st.integers(0, 999), st.booleans()),
)


@given(presses)
def test_callback_data_round_trips_within_64_bytes(press: Press) -> None:
    data = press.encode()
    assert len(data.encode()) <= 64
    assert Press.decode(data) == press


@given(st.text(max_size=70))
def test_garbage_callback_data_is_refused_not_crashed(data: str) -> None:
    press = Press.decode(data)
    assert press is None or Press.decode(press.encode()) == press


@pytest.mark.parametrize("data", ["onb:x:1", "onb:t:1:2", "onb:a:1:2", "onb:t:1:1:2", "onb:a:", "q:a:1", None])
def test_malformed_callback_data(data: str | None) -> None:
    assert Press.decode(data) is None
