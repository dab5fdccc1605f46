"""The simulated Telegram world: users, chats, members, messages and files."""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from tgsim.errors import bad_request

ACTIVE_STATUSES = frozenset({"creator", "administrator", "member"})

ADMIN_RIGHTS = (
    "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
    "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
    "can_post_stories", "can_edit_stories", "can_delete_stories",
)
OPTIONAL_ADMIN_RIGHTS = ("can_pin_messages", "can_manage_topics")

PERMISSIONS = (
    "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
    "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
    "can_send_other_messages", "can_add_web_page_previews", "can_change_info",
    "can_invite_users", "can_pin_messages", "can_manage_topics", "can_edit_tag", "can_react_to_messages",
)


@dataclass
class UserRecord:
    """A Telegram account (a person or the bot)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    stars: int = 0
    started: bool = False
    blocked: bool = False

    @property
    def full_name(self) -> str:
        """First and last name joined."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_dict(self) -> dict[str, Any]:
        """Serialize as a Bot API User."""
        out: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            out["last_name"] = self.last_name
        if self.username:
            out["username"] = self.username
        if self.language_code and not self.is_bot:
            out["language_code"] = self.language_code
        return out


@dataclass
class Member:
    """One user's membership state in a group."""

    user: UserRecord
    status: str = "left"
    rights: dict[str, bool] = field(default_factory=dict)
    permissions: dict[str, bool] = field(default_factory=dict)
    until_date: int = 0
    is_member: bool = False
    custom_title: str | None = None

    def copy(self) -> Member:
        """Snapshot this state (for old_chat_member)."""
        return Member(self.user, self.status, dict(self.rights), dict(self.permissions),
                      self.until_date, self.is_member, self.custom_title)

    @property
    def active(self) -> bool:
        """Whether the user is currently in the chat."""
        return self.status in ACTIVE_STATUSES or (self.status == "restricted" and self.is_member)

    def right(self, name: str) -> bool:
        """Whether the member holds an admin right (the owner holds all)."""
        return self.status == "creator" or (self.status == "administrator" and self.rights.get(name, False))


@dataclass
class FileRecord:
    """An uploaded file reachable by file_id."""

    file_id: str
    file_unique_id: str
    data: bytes
    kind: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    file_path: str = ""


@dataclass
class MessageRecord:
    """A message in a chat, with its edit history and deletion mark."""

    chat: ChatRecord
    message_id: int
    sender: UserRecord | None
    date: int
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    reply_to: MessageRecord | None = None
    reply_markup: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    edit_date: int | None = None
    history: list[str] = field(default_factory=list)
    deleted: bool = False
    reactions: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    # time.monotonic() when the simulator stored it (flood-limit tests check the spacing).
    stamp: float = field(default_factory=time.monotonic)

    @property
    def id(self) -> int:
        """The message_id."""
        return self.message_id

    @property
    def chat_id(self) -> int:
        """The chat's id."""
        return self.chat.id

    @property
    def from_bot(self) -> bool:
        """Whether the bot sent it."""
        return self.sender is not None and self.sender.is_bot

    @property
    def content(self) -> str:
        """Text or caption ('' for media without caption and service messages)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def is_service(self) -> bool:
        """Whether this is a service message (join, leave, migration, payment...)."""
        return bool(self.meta.get("service"))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """All inline keyboard buttons, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    @property
    def button_texts(self) -> list[str]:
        """The inline keyboard buttons' texts."""
        return [button["text"] for button in self.buttons]

    @property
    def edited(self) -> bool:
        """Whether the message was edited."""
        return self.edit_date is not None


@dataclass
class ChatRecord:
    """A private chat with the bot, a basic group or a supergroup."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    private_user: UserRecord | None = None
    join_by_request: bool = False
    description: str | None = None
    members: dict[int, Member] = field(default_factory=dict)
    messages: dict[int, MessageRecord] = field(default_factory=dict)
    next_message_id: int = 1
    migrated_to: int | None = None
    migrated_from: int | None = None
    pinned: list[int] = field(default_factory=list)
    join_requests: dict[int, int] = field(default_factory=dict)
    permissions: dict[str, bool] = field(default_factory=dict)

    @property
    def is_group(self) -> bool:
        """Whether this is a group or supergroup."""
        return self.type in ("group", "supergroup")

    def member(self, user: UserRecord) -> Member:
        """The user's membership (status 'left' if never seen)."""
        found = self.members.get(user.id)
        return found if found is not None else Member(user)

    def to_dict(self) -> dict[str, Any]:
        """Serialize as a Bot API Chat."""
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private" and self.private_user is not None:
            user = self.private_user
            out["first_name"] = user.first_name
            if user.last_name:
                out["last_name"] = user.last_name
            if user.username:
                out["username"] = user.username
            return out
        out["title"] = self.title
        if self.username:
            out["username"] = self.username
        return out


class World:
    """Registry of users, chats and files, with id allocation."""

    def __init__(self) -> None:
        self.users: dict[int, UserRecord] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.files: dict[str, FileRecord] = {}
        self.files_by_path: dict[str, FileRecord] = {}
        self._user_ids = itertools.count(5_000_001)
        self._group_ids = itertools.count(1)
        self._file_seq = itertools.count(1)

    def add_user(self, user: UserRecord) -> UserRecord:
        """Register a user and their (not yet started) private chat."""
        self.users[user.id] = user
        self.chats[user.id] = ChatRecord(id=user.id, type="private", private_user=user)
        return user

    def next_user_id(self) -> int:
        """Allocate a user id."""
        return next(self._user_ids)

    def new_group(self, title: str, supergroup: bool, username: str | None) -> ChatRecord:
        """Create a group chat with a Telegram-shaped negative id."""
        seq = next(self._group_ids)
        chat_id = -(1_001_000_000_000 + seq) if supergroup else -(4_000_000_000 + seq)
        chat = ChatRecord(id=chat_id, type="supergroup" if supergroup else "group", title=title,
                          username=username)
        chat.permissions = {name: name not in ("can_change_info", "can_pin_messages", "can_manage_topics")
                            for name in PERMISSIONS}
        self.chats[chat_id] = chat
        return chat

    def find_chat(self, chat_id: int | str | None, write: bool = True) -> ChatRecord:
        """Resolve a chat_id parameter (number or @username) or answer 'chat not found'.

        An upgraded basic group still answers reads; writes (and member lists, which the Bot API
        server checks like writes) get 'group chat was upgraded' with migrate_to_chat_id.
        """
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str):
            text = chat_id.strip()
            if text.startswith("@"):
                for chat in self.chats.values():
                    if chat.username and chat.username.lower() == text[1:].lower() and chat.is_group:
                        return chat
                raise bad_request("chat not found")
            try:
                chat_id = int(text)
            except ValueError:
                raise bad_request("chat not found") from None
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None and write:
            raise bad_request("group chat was upgraded to a supergroup chat",
                              {"migrate_to_chat_id": chat.migrated_to})
        return chat

    def find_user(self, user_id: int | None) -> UserRecord:
        """Resolve a user_id parameter."""
        if user_id is None:
            raise bad_request("user_id is empty")
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        return user

    def store_file(self, data: bytes, kind: str, file_name: str | None = None,
                   mime_type: str | None = None, width: int = 0, height: int = 0) -> FileRecord:
        """Keep an uploaded file and give it Telegram-like identifiers."""
        seq = next(self._file_seq)
        prefix = {"photo": "AgACAgIAAxkBAAI", "document": "BQACAgIAAxkBAAI"}.get(kind, "CAACAgIAAxkBAAI")
        file_id = f"{prefix}{seq:05d}{secrets.token_urlsafe(24)}"
        unique = f"AQAD{seq:05d}{secrets.token_hex(4)}"
        folder = "photos" if kind == "photo" else "documents"
        ext = ".jpg" if kind == "photo" else ("." + file_name.rsplit(".", 1)[-1] if file_name and "." in file_name else "")
        record = FileRecord(file_id, unique, data, kind, file_name, mime_type, width, height,
                            f"{folder}/file_{seq}{ext}")
        self.files[file_id] = record
        self.files_by_path[record.file_path] = record
        return record
