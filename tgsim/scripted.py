"""Scripted users: what a person does in Telegram's apps, as async calls for tests and the demo."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tgsim.entities import detect_entities
from tgsim.errors import ScriptError
from tgsim.methods_bot import normalize_emoji
from tgsim.methods_messages import photo_extra
from tgsim.invites import usable_link
from tgsim.payments import PayResult, latest_subscription, pay, set_subscription_state
from tgsim.serialize import document_dict, message_to_dict
from tgsim.world import ChatRecord, Member, MessageRecord, UserRecord

if TYPE_CHECKING:
    from tgsim.simulator import Simulator


@dataclass
class CallbackAnswer:
    """The bot's answerCallbackQuery, as the pressing user sees it."""

    text: str | None
    show_alert: bool
    url: str | None = None
    cache_time: int | None = None


class SimUser:
    """A person driving Telegram: sends, replies, presses buttons, joins, pays."""

    def __init__(self, sim: Simulator, record: UserRecord) -> None:
        self.sim = sim
        self.record = record

    def __repr__(self) -> str:
        return f"SimUser({self.record.first_name!r}, id={self.record.id})"

    @property
    def id(self) -> int:
        """The user id (also the id of their private chat with the bot)."""
        return self.record.id

    @property
    def first_name(self) -> str:
        """First name."""
        return self.record.first_name

    @property
    def username(self) -> str | None:
        """Username without '@'."""
        return self.record.username

    @property
    def full_name(self) -> str:
        """First and last name."""
        return self.record.full_name

    @property
    def stars(self) -> int:
        """Telegram Stars balance."""
        return self.record.stars

    @stars.setter
    def stars(self, value: int) -> None:
        self.record.stars = value

    # --- helpers -----------------------------------------------------------------------------

    def _chat(self, chat: Any) -> ChatRecord:
        return self.sim.chat_record(chat, self.record)

    def _may_post(self, chat: ChatRecord) -> None:
        if chat.migrated_to is not None:
            raise ScriptError(f"{chat.title} was upgraded to a supergroup ({chat.migrated_to})")
        if chat.type == "private":
            if chat.id != self.id:
                raise ScriptError("users can only write to their own private chat with the bot")
            if self.record.blocked:
                self._set_blocked(False)
            if not self.record.started:
                self.record.started = True
                chat.members.setdefault(self.sim.bot.id, Member(self.sim.bot, "member", is_member=True))
            return
        member = chat.member(self.record)
        if not member.active:
            raise ScriptError(f"{self.first_name} is not a member of {chat.title}")
        if member.status == "restricted" and not member.permissions.get("can_send_messages", False):
            raise ScriptError(f"{self.first_name} is restricted in {chat.title} and cannot send messages")

    async def _post(
        self, chat: Any, reply_to: MessageRecord | None = None, sender: UserRecord | None = None, **fields: Any
    ) -> MessageRecord:
        record = self._chat(chat)
        self._may_post(record)
        if reply_to is not None and (reply_to.chat is not record or reply_to.deleted):
            raise ScriptError("can only reply to a visible message in the same chat")
        msg = self.sim.new_message(record, sender or self.record, reply_to=reply_to, **fields)
        self.sim.keyboards.user_sent(record.id, self.id)
        self.sim.deliver(msg)
        self.sim.notify()
        await asyncio.sleep(0)
        return msg

    def _set_blocked(self, blocked: bool) -> None:
        chat = self.sim.world.chats[self.id]
        self.record.blocked = blocked
        new = Member(self.sim.bot, "kicked") if blocked else Member(self.sim.bot, "member", is_member=True)
        chat.members.setdefault(self.sim.bot.id, Member(self.sim.bot, "member", is_member=True))
        self.sim.change_member(chat, new, self.record)

    # --- messages ----------------------------------------------------------------------------

    async def send(self, chat: Any, text: str, reply_to: MessageRecord | None = None) -> MessageRecord:
        """Send a text message (chat None or sim.bot: the private chat with the bot)."""
        return await self._post(chat, reply_to, text=text, entities=detect_entities(text))

    async def send_anonymously(self, group: Any, text: str) -> MessageRecord:
        """Post as the group itself, as an anonymous admin does (from GroupAnonymousBot, sender_chat the group)."""
        chat = self._chat(group)
        if chat.member(self.record).status not in ("administrator", "creator"):
            raise ScriptError(f"{self.first_name} is no admin of {chat.title} and cannot post anonymously")
        return await self._post(
            chat, sender=self.sim.anonymous_admin, text=text, entities=detect_entities(text),
            extra={"sender_chat": chat.to_dict()},
        )

    async def start(self, payload: str | None = None) -> MessageRecord:
        """Open the bot and press Start (/start or /start <payload>)."""
        return await self.send(None, "/start" if payload is None else f"/start {payload}")

    async def reply(self, msg: MessageRecord, text: str) -> MessageRecord:
        """Reply to a message in its chat."""
        return await self.send(msg.chat, text, reply_to=msg)

    async def send_document(self, chat: Any, filename: str, data: bytes, caption: str | None = None,
                            mime_type: str = "application/octet-stream") -> MessageRecord:
        """Upload a document."""
        record = self.sim.world.store_file(data, "document", filename, mime_type)
        return await self._post(chat, None, caption=caption or None,
                                caption_entities=detect_entities(caption or ""),
                                extra={"document": document_dict(record)}, meta={"file": record.file_id})

    async def send_photo(self, chat: Any, data: bytes, caption: str | None = None) -> MessageRecord:
        """Upload a photo."""
        record = self.sim.world.store_file(data, "photo", None, "image/jpeg", 1280, 960)
        return await self._post(chat, None, caption=caption or None,
                                caption_entities=detect_entities(caption or ""),
                                extra={"photo": photo_extra(self.sim, record)}, meta={"file": record.file_id})

    async def edit(self, msg: MessageRecord, new_text: str) -> MessageRecord:
        """Edit one's own text message (edited_message update)."""
        if msg.sender is not self.record or msg.text is None or msg.deleted:
            raise ScriptError("users can only edit their own visible text messages")
        msg.history.append(msg.text)
        msg.text, msg.entities, msg.edit_date = new_text, detect_entities(new_text), self.sim.now()
        self.sim.deliver(msg, "edited_message")
        self.sim.notify()
        await asyncio.sleep(0)
        return msg

    async def forward(self, msg: MessageRecord, to_chat: Any) -> MessageRecord:
        """Forward a message to another chat."""
        origin: dict[str, Any] = {"type": "user", "date": msg.date}
        if msg.sender is not None:
            origin["sender_user"] = msg.sender.to_dict()
        extra = {"forward_origin": origin}
        extra.update({k: v for k, v in msg.extra.items() if k in ("photo", "document", "invoice")})
        return await self._post(to_chat, None, text=msg.text, entities=list(msg.entities), caption=msg.caption,
                                caption_entities=list(msg.caption_entities), extra=extra,
                                meta={k: v for k, v in msg.meta.items() if k in ("file", "invoice")},
                                reply_markup=msg.reply_markup)

    # --- buttons, reactions, blocking --------------------------------------------------------

    async def press(self, msg: MessageRecord, text: str, timeout: float = 5.0) -> CallbackAnswer:
        """Press an inline button by its text; wait for and return the bot's answer."""
        buttons = msg.buttons
        match = next((b for b in buttons if b["text"] == text), None) \
            or next((b for b in buttons if text.lower() in b["text"].lower()), None)
        if match is None:
            raise ScriptError(f"no button {text!r} on message #{msg.message_id}; buttons: {msg.button_texts}")
        if "callback_data" not in match:
            raise ScriptError(f"button {match['text']!r} is not a callback button: {match}")
        return await self.press_data(msg, match["callback_data"], timeout)

    async def press_data(self, msg: MessageRecord, data: str, timeout: float = 5.0) -> CallbackAnswer:
        """Send a callback query with arbitrary data, as a tampered client could."""
        if msg.deleted:
            raise ScriptError(f"message #{msg.message_id} was deleted")
        sim = self.sim
        query_id = str(4_000_000_000_000 + sim.next_seq() * 7919 + self.id % 7919)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        sim.callback_answers[query_id] = future
        sim.callback_created[query_id] = time.monotonic()
        sim.emit("callback_query", {"id": query_id, "from": self.record.to_dict(),
                                    "message": message_to_dict(msg),
                                    "chat_instance": str((msg.chat.id * 2654435761) % (2 ** 62)),
                                    "data": data})
        try:
            answer = await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            raise TimeoutError(f"the bot did not answer callback query {data!r} from {self.first_name} "
                               f"within {timeout}s\n{sim.transcript(msg.chat)}") from None
        return CallbackAnswer(answer["text"], answer["show_alert"], answer["url"], answer["cache_time"])

    def keyboard(self, chat: Any = None) -> list[list[str]]:
        """The reply keyboard the bot left in this user's app for the chat, as rows of button texts."""
        shown = self.sim.keyboards.keyboard(self._chat(chat).id, self.id)
        return [] if shown is None else [[b["text"] for b in row] for row in shown.markup["keyboard"]]

    def force_reply_prompt(self, chat: Any = None) -> MessageRecord | None:
        """The bot message whose force_reply this user's app is showing (None when there is none)."""
        shown = self.sim.keyboards.prompt(self._chat(chat).id, self.id)
        return None if shown is None else shown.message

    async def press_key(self, text: str, chat: Any = None) -> MessageRecord:
        """Press a reply keyboard button: the app sends its text as a normal message."""
        record = self._chat(chat)
        shown = self.sim.keyboards.keyboard(record.id, self.id)
        buttons = [b for row in shown.markup["keyboard"] for b in row] if shown is not None else []
        match = next((b for b in buttons if b["text"] == text), None)
        if match is None:
            raise ScriptError(f"no reply keyboard button {text!r}; keyboard: {self.keyboard(chat)}")
        if set(match) - {"text", "style", "icon_custom_emoji_id"}:
            raise ScriptError(f"button {text!r} asks for something the simulator cannot share: {match}")
        assert shown is not None
        msg = await self.send(record, text)
        self.sim.keyboards.user_sent(record.id, self.id, pressed_one_time=bool(shown.markup.get("one_time_keyboard")))
        return msg

    async def react(self, msg: MessageRecord, emoji: str) -> None:
        """Set one's reaction on a message (message_reaction update)."""
        await self._set_reaction(msg, [{"type": "emoji", "emoji": normalize_emoji(emoji)}])

    async def unreact(self, msg: MessageRecord) -> None:
        """Remove one's reaction."""
        await self._set_reaction(msg, [])

    async def _set_reaction(self, msg: MessageRecord, new: list[dict[str, Any]]) -> None:
        old = msg.reactions.get(self.id, [])
        if new:
            msg.reactions[self.id] = new
        else:
            msg.reactions.pop(self.id, None)
        chat = msg.chat
        if chat.type == "private" or self.sim.bot_is_admin(chat):
            self.sim.emit("message_reaction", {"chat": chat.to_dict(), "message_id": msg.message_id,
                                               "user": self.record.to_dict(), "date": self.sim.now(),
                                               "old_reaction": old, "new_reaction": new})
        await asyncio.sleep(0)

    async def block_bot(self) -> None:
        """Block the bot (my_chat_member: kicked)."""
        self._set_blocked(True)
        await asyncio.sleep(0)

    async def unblock_bot(self) -> None:
        """Unblock the bot (my_chat_member: member)."""
        self._set_blocked(False)
        await asyncio.sleep(0)

    async def pay(self, invoice: MessageRecord | str) -> PayResult:
        """Pay an invoice message or a t.me/$ invoice link."""
        return await pay(self.sim, self.record, invoice)

    # --- waiting -----------------------------------------------------------------------------

    async def expect(self, chat: Any = None, contains: str | None = None, timeout: float = 5.0) -> MessageRecord:
        """Return the next bot message in the chat not yet returned to this user (optionally containing text)."""
        record = self._chat(chat)
        key = (self.id, record.id)

        def find() -> MessageRecord | None:
            cursor = self.sim.cursors.get(key, 0)
            for msg in list(record.messages.values()):
                if msg.message_id > cursor and msg.from_bot and (contains is None or contains in msg.content):
                    return msg
            return None

        try:
            msg = await self.sim.wait_for(find, timeout)
        except TimeoutError:
            wanted = f" containing {contains!r}" if contains else ""
            raise TimeoutError(f"{self.first_name} expected a bot message{wanted} in "
                               f"{record.title or 'the private chat'} within {timeout}s\n"
                               f"{self.sim.transcript(record)}") from None
        self.sim.cursors[key] = msg.message_id
        return msg

    def unread(self, chat: Any = None) -> list[MessageRecord]:
        """Bot messages after this user's expect() cursor, without consuming them."""
        record = self._chat(chat)
        cursor = self.sim.cursors.get((self.id, record.id), 0)
        return [m for m in record.messages.values() if m.message_id > cursor and m.from_bot]

    # --- membership --------------------------------------------------------------------------

    async def join(self, group: Any) -> None:
        """Join a group (a join request instead when the group approves new members)."""
        chat = self._chat(group)
        member = chat.member(self.record)
        if member.active:
            return
        if member.status == "kicked":
            raise ScriptError(f"{self.first_name} is banned from {chat.title}")
        if chat.join_by_request:
            await self.request_join(group)
            return
        if member.status == "restricted":
            new = member.copy()
            new.is_member = True
        else:
            new = Member(self.record, "member", is_member=True)
        self.sim.change_member(chat, new, self.record)
        self.sim.post_service(chat, self.record, new_chat_members=[self.record.to_dict()])
        await asyncio.sleep(0)

    async def request_join(self, group: Any, invite_link: dict[str, Any] | None = None) -> None:
        """Ask to join (chat_join_request update, seen by admin bots with can_invite_users)."""
        chat = self._chat(group)
        if chat.member(self.record).active:
            raise ScriptError(f"{self.first_name} is already in {chat.title}")
        chat.join_requests[self.id] = self.sim.now()
        if self.sim.bot_member(chat).right("can_invite_users"):
            payload = {"chat": chat.to_dict(), "from": self.record.to_dict(), "user_chat_id": self.id,
                       "date": self.sim.now()}
            if invite_link is not None:
                payload["invite_link"] = invite_link
            self.sim.emit("chat_join_request", payload)
        self.sim.notify()
        await asyncio.sleep(0)

    async def join_by_link(self, url: str) -> None:
        """Follow an invite link: join (or ask to, for a link that needs approval); the update names the link."""
        link = usable_link(self.sim, url)
        chat = self.sim.world.chats[link.chat_id]
        member = chat.member(self.record)
        if member.active:
            raise ScriptError(f"{self.first_name} is already in {chat.title}")
        if member.status == "kicked":
            raise ScriptError(f"{self.first_name} is banned from {chat.title}")
        if link.creates_join_request:
            await self.request_join(chat, invite_link=link.to_dict())
            return
        link.joined.append(self.id)
        self.sim.change_member(chat, Member(self.record, "member", is_member=True), self.record,
                               invite_link=link.to_dict())
        self.sim.post_service(chat, self.record, new_chat_members=[self.record.to_dict()])
        await asyncio.sleep(0)

    async def set_subscription(self, state: str) -> None:
        """Cancel ("canceled") or re-enable ("active") the renewal of this user's latest subscription."""
        if state not in ("canceled", "active"):
            raise ScriptError(f"a user cancels or re-enables a subscription, not {state!r}")
        set_subscription_state(self.sim, latest_subscription(self.sim, self.record), state)
        await asyncio.sleep(0)

    async def leave(self, group: Any) -> None:
        """Leave a group."""
        chat = self._chat(group)
        member = chat.member(self.record)
        if not member.active:
            raise ScriptError(f"{self.first_name} is not in {chat.title}")
        if member.status == "creator":
            raise ScriptError("the owner cannot leave in this simulator")
        self.sim.change_member(chat, Member(self.record, "left"), self.record)
        self.sim.post_service(chat, self.record, left_chat_member=self.record.to_dict())
        await asyncio.sleep(0)

    async def kick(self, group: Any, user: SimUser) -> None:
        """Remove (ban) a member, as an admin with the right to restrict members."""
        chat = self._chat(group)
        if not chat.member(self.record).right("can_restrict_members"):
            raise ScriptError(f"{self.first_name} may not remove members of {chat.title}")
        target = chat.member(user.record)
        if target.status == "creator":
            raise ScriptError("the owner cannot be removed")
        self.sim.change_member(chat, Member(user.record, "kicked"), self.record)
        if target.active:
            self.sim.post_service(chat, self.record, left_chat_member=user.record.to_dict())
        await asyncio.sleep(0)
