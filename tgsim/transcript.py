"""Human-readable transcripts of simulated chats."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tgsim.world import ChatRecord, MessageRecord


def _name(user: dict[str, Any] | None) -> str:
    if not user:
        return "?"
    return user.get("first_name", "?")


def _service_line(msg: MessageRecord, sender: str) -> str:
    extra = msg.extra
    if "new_chat_members" in extra:
        names = ", ".join(_name(u) for u in extra["new_chat_members"])
        joined = msg.sender is not None and [msg.sender.id] == [u["id"] for u in extra["new_chat_members"]]
        return f"* {names} joined" if joined else f"* {sender} added {names}"
    if "left_chat_member" in extra:
        gone = extra["left_chat_member"]
        if msg.sender is not None and msg.sender.id == gone["id"]:
            return f"* {_name(gone)} left"
        return f"* {sender} removed {_name(gone)}"
    if extra.get("group_chat_created"):
        return f"* {sender} created the group"
    if "migrate_to_chat_id" in extra:
        return f"* group upgraded to supergroup {extra['migrate_to_chat_id']}"
    if "migrate_from_chat_id" in extra:
        return f"* supergroup created from group {extra['migrate_from_chat_id']}"
    if "pinned_message" in extra:
        return f"* {sender} pinned #{extra['pinned_message']['message_id']}"
    if "successful_payment" in extra:
        pay = extra["successful_payment"]
        kind = ""
        if pay.get("is_recurring"):
            kind = " (subscription)" if pay.get("is_first_recurring") else " (subscription renewal)"
        return f"* {sender} paid {pay['total_amount']} {pay['currency']}{kind} for {pay['invoice_payload']!r}"
    return f"* {sender}: service message {sorted(extra)}"


def render_message(msg: MessageRecord) -> list[str]:
    """Render one message as one or more lines."""
    sender = msg.sender.first_name if msg.sender is not None else "?"
    if msg.is_service:
        return [f"#{msg.message_id} {_service_line(msg, sender)}"]
    head = f"#{msg.message_id} "
    if msg.deleted:
        head += "[deleted] "
    head += sender
    if msg.reply_to is not None:
        head += f" ↩ #{msg.reply_to.message_id}"
    parts: list[str] = []
    origin = msg.extra.get("forward_origin")
    if origin:
        parts.append(f"(forwarded from {_name(origin.get('sender_user'))})")
    if "document" in msg.extra:
        parts.append(f"[document {msg.extra['document'].get('file_name', '')}]")
    if "photo" in msg.extra:
        parts.append("[photo]")
    if "invoice" in msg.extra:
        inv = msg.extra["invoice"]
        parts.append(f"[invoice {inv['title']!r}: {inv['total_amount']} {inv['currency']}]")
    if msg.content:
        parts.append(msg.content)
    line = f"{head}: {' '.join(parts)}"
    if msg.edited:
        line += " (edited)"
    if msg.reactions:
        counts = Counter(r["emoji"] for rs in msg.reactions.values() for r in rs if r.get("type") == "emoji")
        if counts:
            line += "  {" + " ".join(f"{e}×{n}" if n > 1 else e for e, n in counts.items()) + "}"
    lines = [line]
    rows = (msg.reply_markup or {}).get("inline_keyboard", [])
    for row in rows:
        lines.append("    " + " ".join(f"[{b['text']}]" for b in row))
    return lines


def render_chat(chat: ChatRecord) -> str:
    """Render a whole chat with a header line."""
    if chat.type == "private":
        user = chat.private_user
        title = f"private chat with {user.full_name if user else chat.id}"
    else:
        title = f"{chat.title} ({chat.type} {chat.id})"
    lines = [f"=== {title} ==="]
    for msg in chat.messages.values():
        for text in render_message(msg):
            lines.append("  " + text.replace("\n", "\n    "))
    return "\n".join(lines)
