"""Callback data of the paid-content buttons: `ct:<action>:<int>[:<int>]`, at most 64 bytes."""

from __future__ import annotations

from dataclasses import dataclass

from bot.numbers import parse_chat_id
from bot.views.limits import MAX_CALLBACK_DATA

PREFIX = "ct"
# Action → number of integer arguments.
ACTIONS: dict[str, int] = {
    "o": 1,  # open an item
    "i": 1,  # show an item's card
    "b": 1,  # buy with Stars
    "p": 1,  # unlock with points
    "r": 2,  # rate: item, 1-5
    "c": 2,  # catalog page: community, page
    "s": 1,  # subscribe to a plan
    "t": 1,  # start a plan's free trial
    "u": 1,  # /publish conversation: pick a community
}
PUBLISH_ACTIONS = frozenset({"u"})
PAYMENT_ACTIONS = frozenset({"b", "s", "t"})
# The /publish conversation owns its buttons and handlers.payments the ones that start a
# payment; every other content button goes to handlers.content.
PATTERN = rf"^{PREFIX}:(?!(?:{'|'.join(sorted(PUBLISH_ACTIONS | PAYMENT_ACTIONS))}):)"
PUBLISH_PATTERN = rf"^{PREFIX}:({'|'.join(sorted(PUBLISH_ACTIONS))}):"
PAYMENT_PATTERN = rf"^{PREFIX}:({'|'.join(sorted(PAYMENT_ACTIONS))}):"


@dataclass(frozen=True)
class ContentData:
    """A decoded button press."""

    action: str
    args: tuple[int, ...]


def encode(action: str, *args: int) -> str:
    """Return the callback data for an action and its integer arguments."""
    if ACTIONS.get(action) != len(args):
        raise ValueError(f"bad content callback {action!r}{args!r}")
    data = ":".join([PREFIX, action, *(str(int(a)) for a in args)])
    assert len(data.encode()) <= MAX_CALLBACK_DATA
    return data


def decode(data: str | None) -> ContentData | None:
    """Parse callback data; None when it is not a well-formed content button."""
    parts = (data or "").split(":")
    if len(parts) < 2 or parts[0] != PREFIX or ACTIONS.get(parts[1]) != len(parts) - 2:
        return None
    numbers = [parse_chat_id(p) for p in parts[2:]]
    if any(n is None for n in numbers):
        return None
    return ContentData(parts[1], tuple(n for n in numbers if n is not None))
