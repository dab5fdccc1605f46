"""Argument parsers of /award, /deduct and /top: never crash, accept exactly the documented forms."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.services.leaderboard import parse_period
from handlers.points_admin import MAX_AMOUNT, MAX_REASON, AdjustArgs, parse_adjust

words = st.lists(st.text(st.characters(blacklist_categories=("Zs", "Cc")), min_size=1, max_size=12), max_size=6)
usernames = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{2,31}", fullmatch=True)


@given(args=words, has_target=st.booleans())
def test_parse_adjust_never_crashes_and_returns_sane_values(args: list[str], has_target: bool) -> None:
    parsed = parse_adjust(args, has_target=has_target)
    if parsed is not None:
        assert 1 <= parsed.amount <= MAX_AMOUNT
        assert parsed.reason and len(parsed.reason) <= MAX_REASON
        assert parsed.username is not None or has_target


@given(name=usernames, amount=st.integers(1, MAX_AMOUNT), reason=st.lists(st.from_regex(r"\w{1,10}", fullmatch=True), min_size=1, max_size=5))
def test_parse_adjust_accepts_the_documented_forms(name: str, amount: int, reason: list[str]) -> None:
    assert parse_adjust([f"@{name}", str(amount), *reason], has_target=False) == AdjustArgs(name, amount, " ".join(reason))
    assert parse_adjust([str(amount), *reason], has_target=True) == AdjustArgs(None, amount, " ".join(reason))


def test_parse_adjust_refuses_what_is_missing_or_malformed() -> None:
    assert parse_adjust(["@bob", "10"], has_target=False) is None  # no reason
    assert parse_adjust(["10", "nice"], has_target=False) is None  # no target
    assert parse_adjust(["@bob", "-5", "x"], has_target=False) is None
    assert parse_adjust(["@bob", "0", "x"], has_target=False) is None
    assert parse_adjust(["@bob", "1e3", "x"], has_target=False) is None
    assert parse_adjust(["@b", "5", "x"], has_target=False) is None  # not a username
    assert parse_adjust(["@bob", str(MAX_AMOUNT + 1), "x"], has_target=False) is None


@given(arg=st.text(max_size=8))
def test_parse_period_knows_three_periods(arg: str) -> None:
    assert parse_period(arg) in (None, 7, 30, 0)
    assert parse_period(arg) is not None or arg.strip().lower() not in ("", "7d", "30d", "all")
