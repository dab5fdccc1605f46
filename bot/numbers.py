"""Numbers typed by people or carried in buttons and links, parsed in one place with bounds.

Only ASCII digits count ("²" and "٣" pass str.isdigit() but are no numbers a user means),
and nothing outside the database's 64-bit integers ever reaches a query.
"""

from __future__ import annotations

import re

# The largest id or amount any column holds (BIGINT).
INT64_MAX = 2**63 - 1
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")


def parse_int(text: str | None, lo: int = 0, hi: int = INT64_MAX) -> int | None:
    """Return text as a whole number within [lo, hi], or None when it is not one."""
    word = (text or "").strip()
    if not _INTEGER.fullmatch(word):
        return None
    number = int(word)
    return number if lo <= number <= hi else None


def parse_id(text: str | None) -> int | None:
    """Return a positive id as people type it ("12" or "#12"), or None."""
    return parse_int((text or "").strip().removeprefix("#"), 1)


def parse_chat_id(text: str | None) -> int | None:
    """Return a chat or user id (groups are negative) carried in a link or a button, or None."""
    return parse_int(text, -INT64_MAX, INT64_MAX)
