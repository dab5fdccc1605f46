"""Argument parsers, callback data and message links (property tests where it pays)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import QaConfig
from bot.errors import Usage
from bot.links import message_link
from bot.services.faq import parse_faq_add
from bot.services.questions import parse_ask
from bot.views.qa_buttons import QaButton, decode

CONFIG = QaConfig()
ACTIONS = ("sq", "sf", "fy", "fn", "pq", "pf")


@given(st.text(min_size=CONFIG.min_question_chars).filter(lambda s: len(s.strip()) >= CONFIG.min_question_chars
                                                          and not s.strip().startswith("+")))
def test_plain_questions_have_no_bounty(text: str) -> None:
    assert parse_ask(text, CONFIG) == (0, text.strip())


@given(st.integers(1, CONFIG.max_bounty), st.text(alphabet="abc xyz?", min_size=10))
def test_bounty_prefix(bounty: int, text: str) -> None:
    if len(text.strip()) < CONFIG.min_question_chars:
        with pytest.raises(Usage):
            parse_ask(f"+{bounty} {text}", CONFIG)
    else:
        assert parse_ask(f"+{bounty} {text}", CONFIG) == (bounty, text.strip())


@pytest.mark.parametrize("text", ["", "   ", "too short", "+50", "+50 short", "+0 a long enough question",
                                  f"+{CONFIG.max_bounty + 1} a long enough question"])
def test_bad_ask_arguments(text: str) -> None:
    with pytest.raises(Usage):
        parse_ask(text, CONFIG)


def test_faq_add_needs_both_sides() -> None:
    assert parse_faq_add("How do I reset? | Send /reset.") == ("How do I reset?", "Send /reset.")
    assert parse_faq_add("Which pipe? | Use a | b here") == ("Which pipe?", "Use a | b here")
    for bad in ("no separator here", "| only an answer", "only a question |", "  |  "):
        with pytest.raises(Usage):
            parse_faq_add(bad)


@given(st.sampled_from(ACTIONS), st.integers(0, 999_999_999))
def test_callback_data_round_trips_within_64_bytes(action: str, value: int) -> None:
    button = QaButton(action, value)  # type: ignore[arg-type]
    data = button.encode()
    assert len(data.encode()) <= 64
    assert decode(data) == button


@given(st.text(max_size=80))
def test_decode_rejects_anything_else(data: str) -> None:
    decoded = decode(data)
    assert decoded is None or decoded.encode() == data


def test_message_links() -> None:
    assert message_link(-1001234567890, "pycircle", 42) == "https://t.me/pycircle/42"
    assert message_link(-1001234567890, None, 42) == "https://t.me/c/1234567890/42"
    assert message_link(-4000000001, None, 42) is None  # basic groups have no links
    assert message_link(-1001234567890, None, None) is None
