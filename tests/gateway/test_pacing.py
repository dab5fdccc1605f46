"""Each chat's turn: one message a second in private, at most 20 in any minute in a group."""

from __future__ import annotations

from bot.gateway.pacing import ChatTurns

PRIVATE, GROUP = 7, -1007


class Time:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _greedy(chat: int, seconds: float) -> list[float]:
    """Send to chat whenever it is ready, checking every 10 ms; return the send times."""
    time, sent = Time(), []
    turns = ChatTurns(time)
    for step in range(int(seconds * 100)):
        time.now = step / 100
        if chat not in turns.not_ready():
            turns.sent(chat)
            sent.append(time.now)
    return sent


def test_a_private_chat_takes_one_message_a_second() -> None:
    sent = _greedy(PRIVATE, 10)
    assert len(sent) == 10 and all(b - a >= 1.0 for a, b in zip(sent, sent[1:]))


def test_a_group_takes_a_few_in_a_row_but_never_more_than_20_a_minute() -> None:
    sent = _greedy(GROUP, 180)
    assert sent[:5] == [0.0, 1.0, 2.0, 3.0, 4.0]  # a greeting, a welcome, a level-up... go at once
    assert all(b - a >= 1.0 for a, b in zip(sent, sent[1:]))
    assert max(sum(1 for t in sent if start <= t < start + 60) for start in sent) <= 20


def test_a_chat_is_forgotten_once_its_budget_is_full_again() -> None:
    time = Time()
    turns = ChatTurns(time)
    turns.sent(PRIVATE)
    assert turns.not_ready() == {PRIVATE} and turns.wait_for({PRIVATE}) == 1.0 and turns.wait_for({GROUP}) is None
    time.now = 1.0
    assert turns.not_ready() == set() and turns.wait_for({PRIVATE}) is None
