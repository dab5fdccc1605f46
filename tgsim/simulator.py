"""The Simulator: a local Telegram Bot API server holding a scripted world."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from aiohttp import web

from tgsim.common import INTEGER
from tgsim.entities import detect_entities
from tgsim.errors import ApiError, bad_request, forbidden, too_many_requests
from tgsim.flood import FloodControl
from tgsim.invites import InviteLink
from tgsim.keyboards import ClientKeyboards
from tgsim.methods import all_methods
from tgsim.params import Params
from tgsim.payments import PaymentState, PayResult, renew_subscription
from tgsim.scripted import SimUser
from tgsim.scripted_chat import SimChat
from tgsim.serialize import member_to_dict, message_to_dict
from tgsim.server import build_app
from tgsim.transcript import render_chat
from tgsim.updates import UpdateQueue
from tgsim.world import ChatRecord, Member, MessageRecord, UserRecord, World

T = TypeVar("T")


class Clock(Protocol):
    """Anything that tells the current time as an aware datetime."""

    def now(self) -> dt.datetime: ...


# The user id Telegram gives GroupAnonymousBot.
ANONYMOUS_ADMIN_ID = 1087968824


class Simulator:
    """Telegram stand-in: Bot API over HTTP plus a scripted-user API for tests and the demo."""

    def __init__(self, clock: Clock | None = None, token: str = "123456:TEST-TOKEN",
                 bot_username: str = "circle_bot", flood_limits: bool = False, privacy_mode: bool = False,
                 precheckout_deadline: float = 10.0, bot_name: str | None = None,
                 callback_query_timeout: float = 15.0, port: int = 0, overall_rate: float = 30) -> None:
        self.clock = clock
        self.token = token
        self.privacy_mode = privacy_mode
        self.precheckout_deadline = precheckout_deadline
        self.callback_query_timeout = callback_query_timeout
        self.world = World()
        self.updates = UpdateQueue(now=self.now)
        self.flood = FloodControl(flood_limits, overall_rate)
        self.payments = PaymentState()
        self.invite_links: dict[str, InviteLink] = {}
        self.errors: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.unknown_methods: list[str] = []
        self.keyboards = ClientKeyboards()
        self._failures: dict[str, tuple[int, str, int | None, dict[str, Any] | None]] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.commands: dict[tuple[str, int | None, int | None, str], list[dict[str, str]]] = {}
        self.callback_answers: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.callback_created: dict[str, float] = {}
        self.cursors: dict[tuple[int, int], int] = {}
        self.sim_users: dict[int, SimUser] = {}
        self._changed = asyncio.Event()
        self._port = port
        self._runner: web.AppRunner | None = None
        self._seq = 0
        bot_id = int(token.split(":", 1)[0]) if INTEGER.fullmatch(token.split(":", 1)[0]) else 123456
        name = bot_name or " ".join(p.capitalize() for p in bot_username.removesuffix("_bot").split("_")) + " Bot"
        self.bot = UserRecord(id=bot_id, first_name=name, username=bot_username, is_bot=True)
        # Telegram's account behind anonymous admins' group messages.
        self.anonymous_admin = UserRecord(
            id=ANONYMOUS_ADMIN_ID, first_name="Group", username="GroupAnonymousBot", is_bot=True
        )
        self.world.users[bot_id] = self.bot

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> Simulator:
        """Start serving on 127.0.0.1 (a free port unless one was given)."""
        self._runner = web.AppRunner(build_app(self, all_methods()), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        server = site._server
        assert server is not None
        self._port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def stop(self) -> None:
        """Stop the server and webhook delivery."""
        await self.updates.close()
        for future in self.callback_answers.values():
            if not future.done():
                future.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Simulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The TCP port being served."""
        return self._port

    @property
    def base_url(self) -> str:
        """Bot API base URL in python-telegram-bot's format (token and method get appended)."""
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        """File download base URL in python-telegram-bot's format."""
        return f"http://127.0.0.1:{self._port}/file/bot"

    # --- world building (scripted API entry points) ---------------------------------------

    def user(self, first_name: str, username: str | None = None, language_code: str | None = "en",
             stars: int = 0, last_name: str | None = None, is_bot: bool = False) -> SimUser:
        """Create a user; returns a SimUser."""
        record = UserRecord(id=self.world.next_user_id(), first_name=first_name, last_name=last_name,
                            username=username, language_code=language_code, is_bot=is_bot, stars=stars)
        self.world.add_user(record)
        sim_user = SimUser(self, record)
        self.sim_users[record.id] = sim_user
        return sim_user

    def group(self, title: str, owner: SimUser, supergroup: bool = True, username: str | None = None,
              join_by_request: bool = False) -> SimChat:
        """Create a group owned by owner; returns a SimChat."""
        chat = self.world.new_group(title, supergroup, username)
        chat.join_by_request = join_by_request
        owner_record = owner.record
        chat.members[owner_record.id] = Member(owner_record, "creator", is_member=True)
        if not supergroup:
            self.post_service(chat, owner_record, group_chat_created=True)
        return SimChat(self, chat)

    # --- time and events -------------------------------------------------------------------

    def now(self) -> int:
        """Current Unix time from the injected clock (or the system)."""
        return int(self.clock.now().timestamp()) if self.clock is not None else int(time.time())

    def next_seq(self) -> int:
        """A process-unique sequence number for ids."""
        self._seq += 1
        return self._seq

    def notify(self) -> None:
        """Wake everything waiting on a world change."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Wait until predicate() is truthy, driven by world-change events; return its value."""

        async def check() -> T:
            return predicate()

        return await self.wait_until(check, timeout)

    async def wait_until(self, check: Callable[[], Awaitable[T]], timeout: float = 5.0) -> T:
        """Wait until await check() is truthy (e.g. a database read), rechecked on every world change."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = await check()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout}s")
            event = self._changed
            try:
                await asyncio.wait_for(event.wait(), min(remaining, 0.5))
            except TimeoutError:
                pass

    def record_error(self, method: str, exc: ApiError, params: Params) -> None:
        """Log an error reply given to the bot."""
        self.errors.append({"method": method, "code": exc.code, "description": exc.description,
                            "params": params.loggable()})

    def fail_method(self, method: str, code: int, description: str, times: int | None = None,
                    parameters: dict[str, Any] | None = None) -> None:
        """Make a method answer with this error (every time, or the next `times` calls)."""
        self._failures[method.lower()] = (code, description, times, parameters)

    def flood_wait(self, method: str, seconds: int, times: int = 1) -> None:
        """Make the next `times` calls of a method answer 429 Too Many Requests: retry after `seconds`."""
        error = too_many_requests(seconds)
        self.fail_method(method, error.code, error.description, times, error.parameters)

    def injected_failure(self, method: str) -> None:
        """Raise the error set by fail_method for this method, if any."""
        failure = self._failures.get(method.lower())
        if failure is None:
            return
        code, description, times, parameters = failure
        if times is not None:
            if times <= 1:
                del self._failures[method.lower()]
            else:
                self._failures[method.lower()] = (code, description, times - 1, parameters)
        raise ApiError(code, description, parameters)

    @property
    def last_update_id(self) -> int:
        """The id of the newest update created so far (0 if none)."""
        return max(self.updates.all, default=0)

    def update_created_at(self, update_id: int) -> float:
        """time.perf_counter() at the moment the update was created."""
        return self.updates.all[update_id].created_at

    def duplicate_update(self, update_id: int, times: int = 1) -> list[int]:
        """Re-enqueue copies of an update under new update_ids (duplicate delivery)."""
        ids = self.updates.duplicate(update_id, times)
        self.notify()
        return ids

    def emit(self, kind: str, payload: dict[str, Any]) -> int | None:
        """Create an update for the bot; returns its update_id (None if filtered out)."""
        entry = self.updates.push(kind, payload)
        self.notify()
        return entry.update_id if entry is not None else None

    # --- messages --------------------------------------------------------------------------

    def chat_record(self, target: Any, user: UserRecord | None = None) -> ChatRecord:
        """Resolve a SimChat, ChatRecord, chat id, or None/sim.bot (the user's private chat)."""
        if target is None or target is self.bot:
            if user is None:
                raise ValueError("a private chat needs a user")
            return self.world.chats[user.id]
        if isinstance(target, ChatRecord):
            return target
        if isinstance(target, int):
            return self.world.chats[target]
        record = getattr(target, "chat", None)
        if isinstance(record, ChatRecord):
            return record
        user_record = getattr(target, "record", None)
        if isinstance(user_record, UserRecord):
            return self.world.chats[user_record.id]
        raise TypeError(f"not a chat: {target!r}")

    def new_message(self, chat: ChatRecord, sender: UserRecord | None, **fields: Any) -> MessageRecord:
        """Store a new message with the chat's next message_id."""
        msg = MessageRecord(chat=chat, message_id=chat.next_message_id, sender=sender, date=self.now(), **fields)
        chat.next_message_id += 1
        chat.messages[msg.message_id] = msg
        return msg

    def post_service(self, chat: ChatRecord, sender: UserRecord | None, deliver: bool = True,
                     **extra: Any) -> MessageRecord:
        """Post a service message (joins, leaves, migration, payments) and deliver it."""
        msg = self.new_message(chat, sender, extra=extra, meta={"service": True})
        if deliver:
            self.deliver(msg)
        self.notify()
        return msg

    def deliver(self, msg: MessageRecord, kind: str = "message") -> int | None:
        """Send a message/edited_message update if the bot can see this message."""
        if not self.bot_receives(msg):
            return None
        return self.emit(kind, message_to_dict(msg))

    def bot_receives(self, msg: MessageRecord) -> bool:
        """Telegram's visibility rules: membership, privacy mode, never a bot's messages (but anonymous admins')."""
        if msg.from_bot and "sender_chat" not in msg.extra:
            return False
        chat = msg.chat
        if chat.type == "private":
            return True
        member = chat.member(self.bot)
        if not member.active:
            return False
        if not self.privacy_mode or member.status in ("administrator", "creator") or msg.is_service:
            return True
        if msg.reply_to is not None and msg.reply_to.from_bot:
            return True
        text = msg.content
        if text.startswith("/"):
            command = text.split()[0]
            return "@" not in command or command.split("@", 1)[1].lower() == (self.bot.username or "").lower()
        return False

    def messages(self, chat: Any, user: Any = None) -> list[MessageRecord]:
        """All messages of a chat (deleted ones included, flagged)."""
        record = self.chat_record(chat, getattr(user, "record", user))
        return list(record.messages.values())

    def bot_messages(self, chat: Any, user: Any = None) -> list[MessageRecord]:
        """Messages the bot sent in a chat."""
        return [m for m in self.messages(chat, user) if m.from_bot]

    def inject_group_message(self, chat: Any, user: Any, text: str) -> int | None:
        """Fast path for benchmarks: create a group message and its update, no checks, no waiting."""
        record = self.chat_record(chat)
        msg = self.new_message(record, user.record if hasattr(user, "record") else user, text=text,
                               entities=detect_entities(text) if "/" in text or "@" in text else [])
        return self.deliver(msg)

    # --- members ---------------------------------------------------------------------------

    def bot_member(self, chat: ChatRecord) -> Member:
        """The bot's membership in a chat."""
        return chat.member(self.bot)

    def bot_is_admin(self, chat: ChatRecord) -> bool:
        """Whether the bot is an administrator (or owner) of the chat."""
        return self.bot_member(chat).status in ("administrator", "creator")

    def change_member(self, chat: ChatRecord, new: Member, actor: UserRecord,
                      via_join_request: bool = False, invite_link: dict[str, Any] | None = None) -> None:
        """Set a member's state and emit my_chat_member / chat_member like Telegram."""
        old = chat.member(new.user).copy()
        was_admin = self.bot_is_admin(chat)
        chat.members[new.user.id] = new
        payload: dict[str, Any] = {
            "chat": chat.to_dict(), "from": actor.to_dict(), "date": self.now(),
            "old_chat_member": member_to_dict(chat, old, self.bot.id),
            "new_chat_member": member_to_dict(chat, new, self.bot.id),
        }
        if via_join_request:
            payload["via_join_request"] = True
        if invite_link is not None:
            payload["invite_link"] = invite_link
        if new.user.id == self.bot.id:
            self.emit("my_chat_member", payload)
        elif was_admin or self.bot_is_admin(chat):
            self.emit("chat_member", payload)
        self.notify()

    def check_bot_can_send(self, chat: ChatRecord) -> None:
        """Raise the Forbidden/Bad Request Telegram gives when the bot may not post here."""
        if chat.type == "private":
            user = chat.private_user
            assert user is not None
            if user.is_bot:
                raise forbidden("bot can't send messages to bots")
            if user.blocked:
                raise forbidden("bot was blocked by the user")
            if not user.started and not self.has_pending_join_request(user):
                raise forbidden("bot can't initiate conversation with a user")
            return
        member = self.bot_member(chat)
        kind = "supergroup" if chat.type == "supergroup" else "group"
        if member.status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        if not member.active:
            raise forbidden(f"bot is not a member of the {kind} chat")
        if member.status == "restricted" and not member.permissions.get("can_send_messages", False):
            raise bad_request("not enough rights to send text messages to the chat")

    def check_bot_in_chat(self, chat: ChatRecord) -> None:
        """Raise 'chat not found' for groups the bot cannot see (not a member, not public)."""
        if chat.type == "private":
            user = chat.private_user
            if user is not None and not user.started and not self.has_pending_join_request(user):
                raise bad_request("chat not found")
            return
        member = self.bot_member(chat)
        if not member.active and not chat.username:
            kind = "supergroup" if chat.type == "supergroup" else "group"
            if member.status == "kicked":
                raise forbidden(f"bot was kicked from the {kind} chat")
            raise forbidden(f"bot is not a member of the {kind} chat")

    def has_pending_join_request(self, user: UserRecord) -> bool:
        """A pending join request lets the bot write to the requester first (Telegram rule)."""
        return any(user.id in chat.join_requests for chat in self.world.chats.values())

    # --- rendering ---------------------------------------------------------------------------

    def transcript(self, chat: Any, user: Any = None) -> str:
        """Render a chat for humans."""
        return render_chat(self.chat_record(chat, getattr(user, "record", user)))

    def transcripts(self) -> str:
        """Render every chat that has messages."""
        return "\n\n".join(render_chat(c) for c in self.world.chats.values() if c.messages)

    async def renew_subscription(self, charge_id_or_user: Any) -> PayResult:
        """Charge the next period of a subscription; returns a PayResult."""
        return await renew_subscription(self, charge_id_or_user)
