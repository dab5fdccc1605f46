"""reply_markup: validation like the Bot API server, and the reply keyboards clients keep showing.

A Message only carries an inline keyboard. ReplyKeyboardMarkup, ReplyKeyboardRemove and ForceReply
change what the recipients' apps show instead, so the simulator keeps them per (chat, user).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tgsim.errors import ApiError, bad_request
from tgsim.params import Params
from tgsim.world import ChatRecord, MessageRecord

BUTTON_ACTIONS = ("url", "callback_data", "switch_inline_query", "switch_inline_query_current_chat",
                  "callback_game", "pay", "login_url", "web_app", "switch_inline_query_chosen_chat", "copy_text")
# Reply keyboard buttons that ask for something, and tdlib's refusal outside private chats.
PRIVATE_ONLY = {
    "request_contact": "phone number can be requested in private chats only",
    "request_location": "location can be requested in private chats only",
    "request_poll": "poll can be requested in private chats only",
    "web_app": "Web App buttons can be used in private chats only",
    "request_users": "users can be requested in private chats only",
    "request_chat": "chats can be requested in private chats only",
}
BOOL_FIELDS = ("is_persistent", "resize_keyboard", "one_time_keyboard", "selective", "remove_keyboard", "force_reply")


@dataclass
class Markup:
    """A validated reply_markup: at most one of the four kinds."""

    kind: str  # "inline", "keyboard", "remove" or "force_reply"
    data: dict[str, Any]

    @property
    def inline(self) -> dict[str, Any] | None:
        """The part a Message keeps: its inline keyboard."""
        return self.data if self.kind == "inline" else None


def parse_markup(p: Params, private: bool) -> Markup | None:
    """Validate reply_markup in the Bot API server's order: keyboard, inline keyboard, remove, force reply."""
    raw = p.data.get("reply_markup")
    if raw is None or raw == "":
        return None
    try:
        markup = p.json("reply_markup")
    except ApiError:
        raise bad_request("can't parse reply keyboard markup JSON object") from None
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    for name in BOOL_FIELDS:
        if name in markup and not isinstance(markup[name], bool):
            raise bad_request(f'field "{name}" must be of type Boolean')
    placeholder = markup.get("input_field_placeholder")
    if placeholder is not None and not isinstance(placeholder, str):
        raise bad_request('field "input_field_placeholder" must be of type String')
    keyboard = reply_keyboard(markup, private)
    inline = inline_keyboard(markup)
    if keyboard:
        return Markup("keyboard", {**markup, "keyboard": keyboard})
    if inline:
        return Markup("inline", {"inline_keyboard": inline})
    if markup.get("remove_keyboard") or markup.get("hide_keyboard"):
        return Markup("remove", markup)
    if markup.get("force_reply"):
        return Markup("force_reply", markup)
    return None


def array_of_arrays(markup: dict[str, Any], name: str, error: str) -> list[list[Any]]:
    """Read an optional Array of Arrays field."""
    rows = markup.get(name)
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise bad_request(f'field "{name}" must be of type Array')
    if not all(isinstance(row, list) for row in rows):
        raise bad_request(error)
    return rows


def reply_keyboard(markup: dict[str, Any], private: bool) -> list[list[dict[str, Any]]]:
    """The rows of a ReplyKeyboardMarkup (empty buttons dropped, at most 12 a row)."""
    rows = array_of_arrays(markup, "keyboard", 'field "keyboard" must be an Array of Arrays')
    kept = []
    for row in rows:
        buttons = []
        for button in row:
            if isinstance(button, str):
                button = {"text": button}
            if not isinstance(button, dict):
                raise bad_request("can't parse keyboard button: KeyboardButton must be a String or an Object")
            if "text" not in button:
                raise bad_request('can\'t parse keyboard button: Can\'t find field "text"')
            if not isinstance(button["text"], str):
                raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
            if not button["text"]:
                continue
            for field, refusal in PRIVATE_ONLY.items():
                if field in button and not private:
                    raise bad_request(refusal)
            buttons.append(button)
        if buttons:
            kept.append(buttons[:12])
    return kept


def inline_keyboard(markup: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The rows of an InlineKeyboardMarkup, each button checked."""
    rows = array_of_arrays(markup, "inline_keyboard",
                           'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    for row in rows:
        for button in row:
            validate_button(button)
    return [row for row in rows if row]


def validate_button(button: Any) -> None:
    """Check one inline keyboard button the way Telegram does."""
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise bad_request('can\'t parse inline keyboard button: Can\'t find field "text"')
    if not isinstance(button["text"], str):
        raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
    actions = [name for name in BUTTON_ACTIONS if name in button]
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
            raise bad_request("BUTTON_URL_INVALID")


@dataclass
class Shown:
    """What a user's app shows for a chat: a reply keyboard or a forced-reply prompt, from a message."""

    markup: dict[str, Any]
    message: MessageRecord


class ClientKeyboards:
    """Reply keyboards and force_reply prompts per (chat id, user id); user None stands for everyone."""

    def __init__(self) -> None:
        self.keyboards: dict[tuple[int, int | None], Shown | None] = {}
        self.prompts: dict[tuple[int, int | None], Shown | None] = {}

    def apply(self, markup: Markup, msg: MessageRecord) -> None:
        """Record what a bot message with a non-inline reply_markup changes in the recipients' apps."""
        chat = msg.chat
        targets = recipients(chat, msg) if markup.data.get("selective") else [None]
        table = self.prompts if markup.kind == "force_reply" else self.keyboards
        if None in targets:
            for key in [k for k in table if k[0] == chat.id]:
                del table[key]
        for user_id in targets:
            table[(chat.id, user_id)] = None if markup.kind == "remove" else Shown(markup.data, msg)

    def keyboard(self, chat_id: int, user_id: int) -> Shown | None:
        """The reply keyboard this user sees in the chat."""
        return self._lookup(self.keyboards, chat_id, user_id)

    def prompt(self, chat_id: int, user_id: int) -> Shown | None:
        """The message whose force_reply this user's app is answering."""
        return self._lookup(self.prompts, chat_id, user_id)

    def user_sent(self, chat_id: int, user_id: int, pressed_one_time: bool = False) -> None:
        """A user's message ends a force_reply prompt; pressing a one-time keyboard hides it."""
        if self.prompt(chat_id, user_id) is not None:
            self.prompts[(chat_id, user_id)] = None
        if pressed_one_time:
            self.keyboards[(chat_id, user_id)] = None

    @staticmethod
    def _lookup(table: dict[tuple[int, int | None], Shown | None], chat_id: int, user_id: int) -> Shown | None:
        if (chat_id, user_id) in table:
            return table[(chat_id, user_id)]
        return table.get((chat_id, None))


def recipients(chat: ChatRecord, msg: MessageRecord) -> list[int | None]:
    """selective=True: the users @mentioned in the text and the sender of the replied-to message."""
    if chat.type == "private":
        return [chat.id]
    found: list[int | None] = []
    text = msg.content
    for entity in msg.entities:
        if entity["type"] == "text_mention":
            found.append(entity["user"]["id"])
        elif entity["type"] == "mention":
            name = utf16_slice(text, entity["offset"], entity["length"]).lstrip("@").lower()
            found.extend(m.user.id for m in chat.members.values() if (m.user.username or "").lower() == name)
    if msg.reply_to is not None and msg.reply_to.sender is not None:
        found.append(msg.reply_to.sender.id)
    return found


def utf16_slice(text: str, offset: int, length: int) -> str:
    """Cut text by UTF-16 offsets, as entities count them."""
    encoded = text.encode("utf-16-le")
    return encoded[offset * 2:(offset + length) * 2].decode("utf-16-le")
