"""Telegram's refusals, told apart in one place (texts matched case-insensitively).

PTB raises BadRequest / Forbidden / RetryAfter / NetworkError with Telegram's description,
minus the "Bad Request: " prefix and capitalised; these helpers read that text so the
rest of the gateway deals in outcomes, not strings.
"""

from __future__ import annotations

import datetime as dt

from telegram.error import Forbidden, RetryAfter, TelegramError

# The bot lacks a right (or the chat kind) an action needs, as opposed to a problem with
# one person (an admin cannot be restricted, an unknown user id).
_LACKS_RIGHTS = ("rights", "chat_admin_required", "supergroup", "not a member", "kicked")
# Join requests that are gone already: the person joined, or someone else decided.
_REQUEST_GONE = ("user_already_participant", "hide_requester_missing")
# The chat no longer exists for the bot: retrying never helps.
_CHAT_GONE = ("chat not found", "user not found", "peer_id_invalid", "group chat was upgraded")
_ALREADY_REFUNDED = "charge_already_refunded"


def _text(exc: TelegramError) -> str:
    return exc.message.lower()


def lacks_rights(exc: TelegramError) -> bool:
    """Tell whether a refused chat action means the bot lacks what it needs there."""
    return isinstance(exc, Forbidden) or any(marker in _text(exc) for marker in _LACKS_RIGHTS)


def request_gone(exc: TelegramError) -> bool:
    """Tell whether a join request was already decided (or the person is in)."""
    return any(marker in _text(exc) for marker in _REQUEST_GONE)


def chat_gone(exc: TelegramError) -> bool:
    """Tell whether the target chat is gone for the bot (deleted, unknown, upgraded)."""
    return any(marker in _text(exc) for marker in _CHAT_GONE)


def already_refunded(exc: TelegramError) -> bool:
    """Tell whether a refund failed only because it was done before."""
    return _ALREADY_REFUNDED in _text(exc)


def retry_delay(exc: RetryAfter) -> dt.timedelta:
    """Return how long Telegram asks to wait."""
    value = exc.retry_after
    return value if isinstance(value, dt.timedelta) else dt.timedelta(seconds=value)
