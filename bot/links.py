"""Links to messages in groups (t.me), as Telegram's apps build them."""

from __future__ import annotations

import html

from bot.i18n import Raw

# Supergroup and channel ids are -100<internal id>; t.me/c/ links use the internal id.
_SUPERGROUP_OFFSET = 1_000_000_000_000


def message_link(chat_id: int, username: str | None, message_id: int | None) -> str | None:
    """Return a link to a group message, or None when Telegram has none (basic groups)."""
    if message_id is None:
        return None
    if username:
        return f"https://t.me/{username}/{message_id}"
    internal = -chat_id - _SUPERGROUP_OFFSET
    if internal <= 0:
        return None
    return f"https://t.me/c/{internal}/{message_id}"


def anchor(url: str | None, label: str, prefix: str = " ") -> Raw:
    """Return an HTML link (label escaped) after prefix, or nothing when there is no url."""
    if not url:
        return Raw("")
    return Raw(f'{prefix}<a href="{html.escape(url)}">{html.escape(label, quote=False)}</a>')
