"""Q&A inline buttons: one encode/decode helper for their callback data, and the keyboards."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

Action = Literal["sq", "sf", "fy", "fn", "pq", "pf"]
# sq/sf: show a suggested question/FAQ entry; fy/fn: FAQ answer Yes/No (value: Q number);
# pq/pf: page of /questions or /faq (value: page index).
PATTERN = re.compile(r"^qa:(sq|sf|fy|fn|pq|pf):(\d{1,9})$")


@dataclass(frozen=True)
class QaButton:
    """What a Q&A button asks for; nothing in it is trusted beyond its shape."""

    action: Action
    value: int

    def encode(self) -> str:
        """Return the callback data (well under Telegram's 64 bytes)."""
        return f"qa:{self.action}:{self.value}"


def pattern(*actions: Action) -> re.Pattern[str]:
    """Return the CallbackQueryHandler pattern for some of the actions."""
    return re.compile(rf"^qa:(?:{'|'.join(actions)}):\d{{1,9}}$")


def decode(data: str | None) -> QaButton | None:
    """Parse callback data made by QaButton.encode; None for anything else."""
    match = PATTERN.match(data or "")
    if match is None:
        return None
    return QaButton(match.group(1), int(match.group(2)))  # type: ignore[arg-type]


def button(text: str, action: Action, value: int) -> InlineKeyboardButton:
    """Return one inline button carrying a Q&A action."""
    return InlineKeyboardButton(text, callback_data=QaButton(action, value).encode())


def pager(action: Action, page: int, pages: int, prev_text: str, next_text: str) -> InlineKeyboardMarkup | None:
    """Return Back/Next buttons for a paged list, or None when it has one page."""
    row = []
    if page > 0:
        row.append(button(prev_text, action, page - 1))
    if page < pages - 1:
        row.append(button(next_text, action, page + 1))
    return InlineKeyboardMarkup([row]) if row else None
