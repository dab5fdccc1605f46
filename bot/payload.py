"""Invoice payloads: an order id signed with HMAC-SHA256, so a forged one is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

# 128 bits of tag is plenty against forgery and keeps the payload well under 128 bytes.
TAG_BYTES = 16
_PAYLOAD = re.compile(r"^o([1-9]\d{0,17})\.([A-Za-z0-9_-]{22})$")


def _tag(order_id: int, secret: bytes) -> str:
    digest = hmac.new(secret, f"circlebot-order:{order_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:TAG_BYTES]).decode().rstrip("=")


def sign_order(order_id: int, secret: bytes) -> str:
    """Return the invoice payload for an order."""
    return f"o{order_id}.{_tag(order_id, secret)}"


def verify_order(payload: str, secret: bytes | None) -> int | None:
    """Return the order id when the payload carries a valid signature, else None."""
    if secret is None:
        return None
    match = _PAYLOAD.match(payload or "")
    if match is None:
        return None
    order_id = int(match.group(1))
    return order_id if hmac.compare_digest(match.group(2), _tag(order_id, secret)) else None
