"""Links: to messages in groups (t.me, as Telegram's apps build them) and deep links into the bot.

Deep-link payloads are encoded and decoded here only: `/start join_<community>`,
`item_<id>`, `item_<id>_<code>` (an item with a coupon), `catalog_<community>`, `sub_<community>`,
`mycontent`, `publish`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from telegram.helpers import create_deep_linked_url

from bot.i18n import Raw
from bot.numbers import parse_chat_id

# Supergroup and channel ids are -100<internal id>; t.me/c/ links use the internal id.
_SUPERGROUP_OFFSET = 1_000_000_000_000

# What a /start payload can ask for; the ones with an id carry a community or an item.
JOIN, ITEM, CATALOG, SUBSCRIBE, MY_CONTENT, PUBLISH = "join", "item", "catalog", "sub", "mycontent", "publish"
_WITH_ID = (JOIN, ITEM, CATALOG, SUBSCRIBE)
_BARE = (MY_CONTENT, PUBLISH)
_PAYLOAD = re.compile(rf"^(?:({'|'.join(_WITH_ID)})_(-?\d{{1,20}})|({'|'.join(_BARE)}))$")
# An item link with a coupon code: decoded as its own kind, routed to the coupons feature.
ITEM_CODE = "item_code"
_ITEM_CODE = re.compile(r"^item_(\d{1,20})_([A-Za-z0-9]{3,32})$")


@dataclass(frozen=True)
class StartPayload:
    """A decoded /start payload: what it asks for and the id it carries (None for bare ones)."""

    kind: str
    id: int | None = None
    code: str | None = None  # ITEM_CODE only

    def encode(self) -> str:
        """Return the payload as it goes into the link."""
        if self.kind == ITEM_CODE:
            return f"{ITEM}_{self.id}_{self.code}"
        return self.kind if self.id is None else f"{self.kind}_{self.id}"


def decode_start(payload: str) -> StartPayload | None:
    """Parse a /start payload; None when it is not one the bot makes."""
    coupon = _ITEM_CODE.match(payload.strip())
    if coupon is not None:
        return StartPayload(ITEM_CODE, int(coupon.group(1)), coupon.group(2))
    match = _PAYLOAD.match(payload.strip())
    if match is None:
        return None
    if match.group(3):
        return StartPayload(match.group(3))
    id = parse_chat_id(match.group(2))
    return StartPayload(match.group(1), id) if id is not None else None


def start_command(*kinds: str) -> str:
    """Return a regex matching `/start <payload>` for payloads of these kinds (for handler filters)."""
    alternatives = [rf"{k}_-?\d{{1,20}}" if k in _WITH_ID else k for k in kinds]
    return rf"^/start(?:@\w+)? (?:{'|'.join(alternatives)})$"


def deep_link(bot_username: str, kind: str, id: int | None = None, code: str | None = None) -> str:
    """Return the t.me link that opens the bot's private chat with this /start payload."""
    return create_deep_linked_url(bot_username, StartPayload(kind, id, code).encode())


def bot_link(bot_username: str) -> str:
    """Return the t.me link that opens the bot's private chat."""
    return f"https://t.me/{bot_username}"


def message_link(chat_id: int, username: str | None, message_id: int | None) -> str | None:
    """Return a link to a group message, or None when Telegram has none (basic groups)."""
    if message_id is None or message_id <= 0:  # <= 0: a placeholder, no message (a posted paid question's answer)
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
