"""Render world records as Bot API JSON objects (Message, ChatMember, ChatFullInfo...)."""

from __future__ import annotations

from typing import Any

from tgsim.world import (
    ADMIN_RIGHTS, OPTIONAL_ADMIN_RIGHTS, PERMISSIONS, ChatRecord, FileRecord, Member, MessageRecord,
)


def message_to_dict(msg: MessageRecord, with_reply: bool = True) -> dict[str, Any]:
    """Serialize a message; the replied-to message is nested one level only, like Telegram."""
    out: dict[str, Any] = {"message_id": msg.message_id, "date": msg.date, "chat": msg.chat.to_dict()}
    if msg.sender is not None:
        out["from"] = msg.sender.to_dict()
    if msg.reply_to is not None and with_reply:
        out["reply_to_message"] = message_to_dict(msg.reply_to, with_reply=False)
    if msg.edit_date is not None:
        out["edit_date"] = msg.edit_date
    if msg.text is not None:
        out["text"] = msg.text
        if msg.entities:
            out["entities"] = [dict(e) for e in msg.entities]
    out.update(msg.extra)
    if msg.caption is not None:
        out["caption"] = msg.caption
        if msg.caption_entities:
            out["caption_entities"] = [dict(e) for e in msg.caption_entities]
    if msg.reply_markup is not None:
        out["reply_markup"] = msg.reply_markup
    return out


def document_dict(record: FileRecord) -> dict[str, Any]:
    """Serialize a Document."""
    out: dict[str, Any] = {"file_id": record.file_id, "file_unique_id": record.file_unique_id}
    if record.file_name:
        out["file_name"] = record.file_name
    if record.mime_type:
        out["mime_type"] = record.mime_type
    out["file_size"] = len(record.data)
    return out


def photo_sizes(record: FileRecord, thumb: FileRecord | None) -> list[dict[str, Any]]:
    """Serialize a photo as PhotoSize list, smallest first."""
    sizes = [record] if thumb is None else [thumb, record]
    return [{"file_id": r.file_id, "file_unique_id": r.file_unique_id, "file_size": len(r.data),
             "width": r.width, "height": r.height} for r in sizes]


def file_dict(record: FileRecord) -> dict[str, Any]:
    """Serialize a File (getFile)."""
    return {"file_id": record.file_id, "file_unique_id": record.file_unique_id,
            "file_size": len(record.data), "file_path": record.file_path}


def member_to_dict(chat: ChatRecord, member: Member, bot_id: int) -> dict[str, Any]:
    """Serialize a ChatMember of the right subtype for its status."""
    user = member.user.to_dict()
    status = member.status
    if status == "creator":
        out: dict[str, Any] = {"status": "creator", "user": user, "is_anonymous": False}
        if member.custom_title:
            out["custom_title"] = member.custom_title
        return out
    if status == "administrator":
        out = {"status": status, "user": user, "can_be_edited": False}
        for name in ADMIN_RIGHTS:
            out[name] = bool(member.rights.get(name, False))
        out["can_pin_messages"] = bool(member.rights.get("can_pin_messages", False))
        if chat.type == "supergroup":
            out["can_manage_topics"] = bool(member.rights.get("can_manage_topics", False))
        if member.custom_title:
            out["custom_title"] = member.custom_title
        return out
    if status == "restricted":
        out = {"status": status, "user": user, "is_member": member.is_member}
        for name in PERMISSIONS:
            out[name] = bool(member.permissions.get(name, False))
        out["until_date"] = member.until_date
        return out
    if status == "kicked":
        return {"status": status, "user": user, "until_date": member.until_date}
    return {"status": status, "user": user}


def admin_rights_dict(rights: dict[str, bool]) -> dict[str, Any]:
    """Serialize ChatAdministratorRights."""
    out = {name: bool(rights.get(name, False)) for name in ADMIN_RIGHTS}
    for name in OPTIONAL_ADMIN_RIGHTS:
        if name in rights:
            out[name] = bool(rights[name])
    return out


def chat_full_info(chat: ChatRecord, pinned: MessageRecord | None) -> dict[str, Any]:
    """Serialize a ChatFullInfo (getChat)."""
    out = chat.to_dict()
    out["accent_color_id"] = 0
    out["max_reaction_count"] = 11
    out["accepted_gift_types"] = {"unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                                  "premium_subscription": False, "gifts_from_channels": False}
    if chat.is_group:
        out["permissions"] = {name: bool(value) for name, value in chat.permissions.items()}
        if chat.description:
            out["description"] = chat.description
        if chat.type == "supergroup" and chat.join_by_request:
            out["join_by_request"] = True
    if pinned is not None:
        out["pinned_message"] = message_to_dict(pinned)
    return out
