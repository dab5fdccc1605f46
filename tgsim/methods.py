"""The table of supported Bot API methods (lower-cased names, as Telegram ignores case)."""

from __future__ import annotations

from tgsim import invites, methods_bot, methods_chats, methods_messages, payments
from tgsim.server import Handler


def all_methods() -> dict[str, Handler]:
    """Map every supported method name (lower case) to its handler."""
    table: dict[str, Handler] = {}
    for module in (methods_bot, methods_messages, methods_chats, payments, invites):
        table.update(module.METHODS)
    return table
