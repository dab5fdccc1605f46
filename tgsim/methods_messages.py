"""Bot API methods that send, edit, delete, forward and copy messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tgsim.common import (
    caption_of, live_message, message_text, reply_markup, reply_target, target_chat,
)
from tgsim.errors import bad_request
from tgsim.keyboards import parse_markup
from tgsim.params import Params, Upload
from tgsim.serialize import document_dict, file_dict, message_to_dict, photo_sizes
from tgsim.world import ChatRecord, FileRecord, MessageRecord

if TYPE_CHECKING:
    from tgsim.simulator import Simulator

NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message")
CHAT_ACTIONS = frozenset({"typing", "upload_photo", "record_video", "upload_video", "record_voice",
                          "upload_voice", "upload_document", "choose_sticker", "find_location",
                          "record_video_note", "upload_video_note"})
DELETE_WINDOW = 48 * 3600


def post_bot_message(sim: Simulator, p: Params, chat: ChatRecord, **fields: Any) -> MessageRecord:
    """Create a message from the bot after the common checks (rights, reply, keyboard, flood)."""
    reply_to = reply_target(chat, p)
    markup = parse_markup(p, chat.type == "private")
    sim.flood.check(chat, paid=p.bool("allow_paid_broadcast"))
    msg = sim.new_message(chat, sim.bot, reply_to=reply_to, reply_markup=markup and markup.inline, **fields)
    if markup is not None and markup.kind != "inline":
        sim.keyboards.apply(markup, msg)
    sim.notify()
    return msg


async def send_message(sim: Simulator, p: Params) -> dict[str, Any]:
    """sendMessage."""
    chat = target_chat(sim, p)
    sim.check_bot_can_send(chat)
    text, entities = message_text(sim, p)
    return message_to_dict(post_bot_message(sim, p, chat, text=text, entities=entities))


def resolve_file(sim: Simulator, value: Upload | str | None, kind: str) -> FileRecord:
    """Turn an upload or a file_id into a stored file of the right kind."""
    if value is None or value == "":
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(value, Upload):
        if kind == "photo":
            return sim.world.store_file(value.data, "photo", value.filename, "image/jpeg", 1280, 960)
        return sim.world.store_file(value.data, "document", value.filename,
                                    value.content_type or "application/octet-stream")
    if value.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")
    record = sim.world.files.get(value)
    if record is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if record.kind != kind:
        raise bad_request(f"can't use file of type {record.kind.capitalize()} as {kind.capitalize()}")
    return record


def photo_extra(sim: Simulator, record: FileRecord) -> list[dict[str, Any]]:
    """PhotoSize list for a stored photo (a thumbnail is made once per photo)."""
    thumb_id = record.file_path + "#thumb"
    thumb = sim.world.files_by_path.get(thumb_id)
    if thumb is None:
        thumb = sim.world.store_file(record.data[:2048], "photo", None, "image/jpeg", 320, 240)
        sim.world.files_by_path[thumb_id] = thumb
    return photo_sizes(record, thumb)


async def send_photo(sim: Simulator, p: Params) -> dict[str, Any]:
    """sendPhoto."""
    chat = target_chat(sim, p)
    sim.check_bot_can_send(chat)
    record = resolve_file(sim, p.file("photo"), "photo")
    caption, entities = caption_of(sim, p)
    msg = post_bot_message(sim, p, chat, caption=caption, caption_entities=entities,
                           extra={"photo": photo_extra(sim, record)}, meta={"file": record.file_id})
    return message_to_dict(msg)


async def send_document(sim: Simulator, p: Params) -> dict[str, Any]:
    """sendDocument."""
    chat = target_chat(sim, p)
    sim.check_bot_can_send(chat)
    record = resolve_file(sim, p.file("document"), "document")
    caption, entities = caption_of(sim, p)
    msg = post_bot_message(sim, p, chat, caption=caption, caption_entities=entities,
                           extra={"document": document_dict(record)}, meta={"file": record.file_id})
    return message_to_dict(msg)


async def get_file(sim: Simulator, p: Params) -> dict[str, Any]:
    """getFile."""
    file_id = p.str("file_id")
    record = sim.world.files.get(file_id or "")
    if record is None:
        raise bad_request("invalid file_id")
    return file_dict(record)


def editable(sim: Simulator, p: Params) -> MessageRecord:
    """Find a message the bot may edit."""
    if p.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = target_chat(sim, p)
    sim.check_bot_in_chat(chat)
    msg = live_message(chat, p.int("message_id"), "message to edit not found")
    if not msg.from_bot or msg.is_service:
        raise bad_request("message can't be edited")
    return msg


def finish_edit(sim: Simulator, msg: MessageRecord) -> dict[str, Any]:
    """Stamp the edit and announce it."""
    msg.edit_date = sim.now()
    sim.notify()
    return message_to_dict(msg)


async def edit_message_text(sim: Simulator, p: Params) -> dict[str, Any]:
    """editMessageText (omitting reply_markup removes the keyboard, like Telegram)."""
    msg = editable(sim, p)
    text, entities = message_text(sim, p)
    if msg.text is None:
        raise bad_request("there is no text in the message to edit")
    markup = reply_markup(p)
    if text == msg.text and entities == msg.entities and markup == msg.reply_markup:
        raise bad_request(NOT_MODIFIED)
    sim.flood.check(msg.chat)
    msg.history.append(msg.text)
    msg.text, msg.entities, msg.reply_markup = text, entities, markup
    return finish_edit(sim, msg)


async def edit_message_caption(sim: Simulator, p: Params) -> dict[str, Any]:
    """editMessageCaption."""
    msg = editable(sim, p)
    if msg.text is not None or not ({"photo", "document"} & msg.extra.keys()):
        raise bad_request("there is no caption in the message to edit")
    caption, entities = caption_of(sim, p)
    markup = reply_markup(p)
    if caption == msg.caption and entities == msg.caption_entities and markup == msg.reply_markup:
        raise bad_request(NOT_MODIFIED)
    sim.flood.check(msg.chat)
    msg.history.append(msg.caption or "")
    msg.caption, msg.caption_entities, msg.reply_markup = caption, entities, markup
    return finish_edit(sim, msg)


async def edit_message_reply_markup(sim: Simulator, p: Params) -> dict[str, Any]:
    """editMessageReplyMarkup."""
    msg = editable(sim, p)
    markup = reply_markup(p)
    if markup == msg.reply_markup:
        raise bad_request(NOT_MODIFIED)
    sim.flood.check(msg.chat)
    msg.reply_markup = markup
    return finish_edit(sim, msg)


def delete_refusal(sim: Simulator, msg: MessageRecord) -> str | None:
    """Why the bot may not delete msg for everyone (None: it may), in tdlib's words.

    Supergroups follow tdlib's can_delete_channel_message ("message can't be deleted": bots
    never after 48 hours, not service messages about the chat's creation or migration, others'
    messages only with can_delete_messages); private chats and basic groups follow
    can_revoke_message ("message can't be deleted for everyone": 48 hours, others' group
    messages only as an admin).
    """
    chat = msg.chat
    young = sim.now() - msg.date < DELETE_WINDOW
    if chat.type == "supergroup":
        if not young or msg.extra.get("migrate_from_chat_id"):
            return "message can't be deleted"
        if sim.bot_member(chat).right("can_delete_messages") or msg.from_bot:
            return None
        return "message can't be deleted"
    if msg.extra.get("group_chat_created"):
        return "message can't be deleted for everyone"
    if chat.type == "group":
        own = msg.from_bot and not msg.is_service
        if not young or not (own or sim.bot_member(chat).status in ("administrator", "creator")):
            return "message can't be deleted for everyone"
        return None
    return None if young else "message can't be deleted for everyone"


def remove_message(chat: ChatRecord, msg: MessageRecord) -> None:
    """Mark a message deleted and unpin it."""
    msg.deleted = True
    if msg.message_id in chat.pinned:
        chat.pinned.remove(msg.message_id)


async def delete_message(sim: Simulator, p: Params) -> bool:
    """deleteMessage."""
    chat = target_chat(sim, p)
    sim.check_bot_in_chat(chat)
    msg = live_message(chat, p.int("message_id"), "message to delete not found")
    refusal = delete_refusal(sim, msg)
    if refusal:
        raise bad_request(refusal)
    remove_message(chat, msg)
    return True


async def delete_messages(sim: Simulator, p: Params) -> bool:
    """deleteMessages: all or nothing.

    The Bot API server skips the ids it cannot find (check_messages with allow_empty), then asks
    tdlib to delete the rest in one call; tdlib's delete_messages checks every message first and
    fails the whole call with the first refusal, so nothing is deleted.
    """
    chat = target_chat(sim, p)
    sim.check_bot_in_chat(chat)
    ids = p.json("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message identifiers are not specified")
    found = [m for m in (chat.messages.get(int(i)) for i in ids) if m is not None and not m.deleted]
    for msg in found:
        refusal = delete_refusal(sim, msg)
        if refusal:
            raise bad_request(refusal)
    for msg in found:
        remove_message(chat, msg)
    return True


def source_message(sim: Simulator, p: Params, error: str) -> MessageRecord:
    """Find the message to forward or copy."""
    from_chat = target_chat(sim, p, "from_chat_id", write=False)
    sim.check_bot_in_chat(from_chat)
    return live_message(from_chat, p.int("message_id"), error)


def copied_content(msg: MessageRecord) -> dict[str, Any]:
    """The content fields shared by forwards and copies."""
    extra = {k: v for k, v in msg.extra.items() if k in ("photo", "document")}
    return {"text": msg.text, "entities": list(msg.entities), "caption": msg.caption,
            "caption_entities": list(msg.caption_entities), "extra": extra, "meta": dict(msg.meta)}


async def forward_message(sim: Simulator, p: Params) -> dict[str, Any]:
    """forwardMessage."""
    chat = target_chat(sim, p)
    sim.check_bot_can_send(chat)
    original = source_message(sim, p, "message to forward not found")
    if original.is_service:
        raise bad_request("message can't be forwarded")
    content = copied_content(original)
    origin: dict[str, Any] = {"type": "user", "date": original.date}
    if original.sender is not None:
        origin["sender_user"] = original.sender.to_dict()
    content["extra"] = {"forward_origin": origin, **content["extra"]}
    sim.flood.check(chat)
    msg = sim.new_message(chat, sim.bot, reply_markup=original.reply_markup, **content)
    return message_to_dict(msg)


async def copy_message(sim: Simulator, p: Params) -> dict[str, Any]:
    """copyMessage; returns a MessageId."""
    chat = target_chat(sim, p)
    sim.check_bot_can_send(chat)
    original = source_message(sim, p, "message to copy not found")
    if original.is_service or "invoice" in original.extra:
        raise bad_request("message can't be copied")
    content = copied_content(original)
    if p.has("caption") and original.text is None:
        content["caption"], content["caption_entities"] = caption_of(sim, p)
    markup = parse_markup(p, chat.type == "private")
    reply_to = reply_target(chat, p)
    sim.flood.check(chat)
    inline = markup.inline if markup is not None else None if p.has("reply_markup") else original.reply_markup
    msg = sim.new_message(chat, sim.bot, reply_markup=inline, reply_to=reply_to, **content)
    if markup is not None and markup.kind != "inline":
        sim.keyboards.apply(markup, msg)
    sim.notify()
    return {"message_id": msg.message_id}


async def send_chat_action(sim: Simulator, p: Params) -> bool:
    """sendChatAction."""
    chat = target_chat(sim, p)
    sim.check_bot_can_send(chat)
    action = p.str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    sim.chat_actions.append((chat.id, action))
    return True


def check_pin_rights(sim: Simulator, chat: ChatRecord) -> None:
    """Pinning in groups needs can_pin_messages (or the group allowing everyone to pin)."""
    sim.check_bot_in_chat(chat)
    if chat.type == "private":
        return
    member = sim.bot_member(chat)
    if member.status == "creator" or member.right("can_pin_messages"):
        return
    if chat.type == "group" and member.status == "administrator":
        return
    if member.active and member.status != "administrator" and chat.permissions.get("can_pin_messages"):
        return
    raise bad_request("not enough rights to manage pinned messages in the chat")


async def pin_chat_message(sim: Simulator, p: Params) -> bool:
    """pinChatMessage (posts a pinned_message service message)."""
    chat = target_chat(sim, p)
    check_pin_rights(sim, chat)
    msg = live_message(chat, p.int("message_id"), "message to pin not found")
    if msg.message_id in chat.pinned:
        chat.pinned.remove(msg.message_id)
    chat.pinned.append(msg.message_id)
    sim.post_service(chat, sim.bot, deliver=False, pinned_message=message_to_dict(msg, with_reply=False))
    return True


async def unpin_chat_message(sim: Simulator, p: Params) -> bool:
    """unpinChatMessage (the most recent pin when message_id is omitted)."""
    chat = target_chat(sim, p)
    check_pin_rights(sim, chat)
    message_id = p.int("message_id")
    if message_id is None:
        if chat.pinned:
            chat.pinned.pop()
        return True
    if message_id not in chat.pinned:
        raise bad_request("message to unpin not found")
    chat.pinned.remove(message_id)
    return True


async def unpin_all_chat_messages(sim: Simulator, p: Params) -> bool:
    """unpinAllChatMessages."""
    chat = target_chat(sim, p)
    check_pin_rights(sim, chat)
    chat.pinned.clear()
    return True


METHODS = {
    "sendmessage": send_message, "sendphoto": send_photo, "senddocument": send_document,
    "getfile": get_file, "editmessagetext": edit_message_text, "editmessagecaption": edit_message_caption,
    "editmessagereplymarkup": edit_message_reply_markup, "deletemessage": delete_message,
    "deletemessages": delete_messages, "forwardmessage": forward_message, "copymessage": copy_message,
    "sendchataction": send_chat_action, "pinchatmessage": pin_chat_message,
    "unpinchatmessage": unpin_chat_message, "unpinallchatmessages": unpin_all_chat_messages,
}
