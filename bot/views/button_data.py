"""Callback data `<prefix>:<action>:<int>...` for a feature's buttons, checked both ways (≤ 64 bytes)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.numbers import parse_chat_id
from bot.views.limits import MAX_CALLBACK_DATA


@dataclass(frozen=True)
class Press:
    """A decoded button press."""

    action: str
    args: tuple[int, ...]


@dataclass(frozen=True)
class ButtonData:
    """One feature's buttons: its prefix and each action's number of integer arguments."""

    prefix: str
    actions: dict[str, int]

    def encode(self, action: str, *args: int) -> str:
        """Return the callback data for an action and its integer arguments."""
        if self.actions.get(action) != len(args):
            raise ValueError(f"bad {self.prefix} callback {action!r}{args!r}")
        data = ":".join([self.prefix, action, *(str(int(a)) for a in args)])
        assert len(data.encode()) <= MAX_CALLBACK_DATA
        return data

    def decode(self, data: str | None) -> Press | None:
        """Parse callback data; None when it is not a well-formed button of this feature."""
        parts = (data or "").split(":")
        if len(parts) < 2 or parts[0] != self.prefix or self.actions.get(parts[1]) != len(parts) - 2:
            return None
        numbers = [parse_chat_id(p) for p in parts[2:]]
        if any(n is None for n in numbers):
            return None
        return Press(parts[1], tuple(n for n in numbers if n is not None))

    def pattern(self, *actions: str) -> str:
        """Return a regex for CallbackQueryHandler matching these actions (all when none are named)."""
        return rf"^{self.prefix}:({'|'.join(sorted(actions or self.actions))}):"
