"""Shared validation for method handlers: text formatting, keyboards, replies, lookups."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tgsim.entities import detect_entities, merge_entities, parse_html
from tgsim.errors import bad_request
from tgsim.keyboards import parse_markup
from tgsim.params import Params
from tgsim.world import ChatRecord, MessageRecord

if TYPE_CHECKING:
    from tgsim.simulator import Simulator

MAX_TEXT = 4096
MAX_CAPTION = 1024
# An integer as Telegram reads one: ASCII digits only (str.isdigit() also takes "²").
INTEGER = re.compile(r"-?[0-9]+")

def format_text(sim: Simulator, text: str, parse_mode: str | None,
                entities: list[dict[str, Any]] | None) -> tuple[str, list[dict[str, Any]]]:
    """Apply parse_mode or explicit entities, then add Telegram's automatic entities."""
    formatted: list[dict[str, Any]] = []
    mode = (parse_mode or "").strip()
    if mode and mode.lower() == "html":
        text, formatted = parse_html(text)
    elif mode.lower() in ("markdown", "markdownv2"):
        raise bad_request(f"unsupported parse_mode {mode}: the simulator implements HTML only")
    elif mode:
        raise bad_request("unsupported parse_mode")
    elif entities:
        formatted = [dict(e) for e in entities]
    resolved = []
    for entity in formatted:
        user_id = entity.pop("_user_id", None)
        if user_id is not None:
            user = sim.world.users.get(user_id)
            if user is None:
                continue
            entity["user"] = user.to_dict()
        resolved.append(entity)
    taken = [(e["offset"], e["offset"] + e["length"]) for e in resolved
             if e["type"] in ("code", "pre", "text_link", "text_mention")]
    detected = [d for d in detect_entities(text)
                if not any(d["offset"] < end and d["offset"] + d["length"] > start for start, end in taken)]
    return text, merge_entities(resolved, detected)


def message_text(sim: Simulator, p: Params) -> tuple[str, list[dict[str, Any]]]:
    """Validate and format the text of sendMessage/editMessageText."""
    raw = p.str("text")
    if raw is None or not raw.strip():
        raise bad_request("message text is empty")
    text, entities = format_text(sim, raw, p.str("parse_mode"), p.json("entities"))
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text, entities


def caption_of(sim: Simulator, p: Params) -> tuple[str | None, list[dict[str, Any]]]:
    """Validate and format an optional caption."""
    raw = p.str("caption")
    if raw is None or raw == "":
        return None, []
    text, entities = format_text(sim, raw, p.str("parse_mode"), p.json("caption_entities"))
    if len(text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return text, entities


def reply_markup(p: Params) -> dict[str, Any] | None:
    """Validate reply_markup where only an inline keyboard fits (edits, invoices)."""
    markup = parse_markup(p, private=True)
    if markup is None:
        return None
    if markup.kind != "inline":
        raise bad_request("inline keyboard expected")
    return markup.inline


def live_message(chat: ChatRecord, message_id: int | None, error: str) -> MessageRecord:
    """Find a not-deleted message or raise the given Bad Request text."""
    if message_id is None:
        raise bad_request("message identifier is not specified")
    msg = chat.messages.get(message_id)
    if msg is None or msg.deleted:
        raise bad_request(error)
    return msg


def reply_target(chat: ChatRecord, p: Params) -> MessageRecord | None:
    """Resolve reply_parameters / reply_to_message_id."""
    params = p.json("reply_parameters")
    if isinstance(params, dict):
        message_id, allow = params.get("message_id"), bool(params.get("allow_sending_without_reply"))
    else:
        message_id, allow = p.int("reply_to_message_id"), p.bool("allow_sending_without_reply")
    if message_id is None:
        return None
    msg = chat.messages.get(int(message_id))
    if msg is None or msg.deleted or msg.is_service and msg.extra.get("group_chat_created"):
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return msg


def target_chat(sim: Simulator, p: Params, name: str = "chat_id", write: bool = True) -> ChatRecord:
    """Resolve a chat parameter for writing (or, with write=False, for reading)."""
    value = p.data.get(name)
    if isinstance(value, str) and INTEGER.fullmatch(value):
        value = int(value)
    if value is None and name == "chat_id":
        raise bad_request("chat_id is empty")
    return sim.world.find_chat(value, write)


def target_user_id(p: Params) -> int:
    """Read the user_id parameter."""
    user_id = p.int("user_id")
    if user_id is None:
        raise bad_request("user_id is empty") if "user_id" not in p.data else bad_request("invalid user_id specified")
    return user_id
