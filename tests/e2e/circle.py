"""A whole community for property tests: two groups (English and Chinese), four people, one running bot.

`open_circle` starts the simulator's world once per test function; `Circle.exchange` sends one
message and waits, on the bot's own completion hooks, until the update and everything it queued
(points, notices) are done, then returns what the bot did: new messages per chat, error logs,
domain errors raised, and whether the database changed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from telegram import Update

from bot.clock import FakeClock
from bot.context import Services
from bot.errors import DomainError
from bot.runner import BotRunner
from bot.services.communities import get_community
from bot.services.settings import get_language_preference, pick_language
from storage.schema import metadata
from tests.fixtures import make_settings
from tgsim import SimChat, Simulator, SimUser
from tgsim.scripted import CallbackAnswer
from tgsim.world import MessageRecord
from tests.databases import DbUrls

PAYLOAD_SECRET = "property-payload-secret"
MAX_TEXT, MAX_CAPTION, MAX_ALERT = 4096, 1024, 200
# What the simulator may answer the bot without anything being wrong (an edit to the same text).
HARMLESS_ERRORS = ("message is not modified",)
# The loggers whose ERROR records count as a crash: the bot's packages and PTB.
WATCHED = ("bot", "handlers", "jobs", "storage", "telegram")


def is_cjk(ch: str) -> bool:
    """Tell whether a character is a CJK ideograph (what every Chinese text of the bot has)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def speaks(text: str, lang: str, said: str) -> bool:
    """Tell whether the bot's text is in lang, ignoring characters the user's own input brought in."""
    own = {ch for ch in text if is_cjk(ch) and ch not in said}
    return bool(own) if lang == "zh" else not own


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".", 1)[0] in WATCHED:
            self.records.append(record)


def _looks(message: MessageRecord) -> tuple[str, str, bool]:
    return message.content, repr(message.reply_markup), message.deleted


@dataclass(frozen=True)
class _Marks:
    """Where the world stood before an update: next message ids, log and error counts, bot messages' looks."""

    next_ids: dict[int, int]
    logs: int
    api_errors: int
    looks: dict[tuple[int, int], tuple[str, str, bool]]


@dataclass
class Outcome:
    """What the bot did for one update."""

    said: str
    chat: Any
    replies: list[MessageRecord]  # new bot messages in the chat of the update (in a group: quoting it)
    others: list[MessageRecord]  # every other new bot message, in any chat
    edited: list[MessageRecord]  # earlier bot messages whose text, buttons or presence changed
    errors: list[str]  # ERROR log lines
    api_errors: list[dict[str, Any]]  # error answers the simulator gave the bot
    raised: list[BaseException]  # errors the handlers raised (domain errors are refusals)
    changed: list[str]  # tables whose rows changed
    answer: CallbackAnswer | None = None
    lang: str = "en"

    @property
    def refused(self) -> bool:
        """Whether the bot said no with a domain error (a refusal must write nothing)."""
        return any(isinstance(e, DomainError) for e in self.raised)

    def describe(self) -> str:
        texts = [f"  reply: {m.content[:300]!r}" for m in self.replies]
        texts += [f"  other in {m.chat.id}: {m.content[:200]!r}" for m in self.others]
        if self.answer is not None:
            texts.append(f"  answer: {self.answer}")
        raised = [f"{type(e).__name__}({e})" for e in self.raised]
        return f"{self.said[:200]!r} -> raised {raised}, changed {self.changed}, errors {self.errors}\n" + "\n".join(texts)


@dataclass
class Circle:
    """The simulator, the running bot, two communities and their people."""

    sim: Simulator
    runner: BotRunner
    group: SimChat  # English
    zh_group: SimChat  # its admin switched it to Chinese
    alice: SimUser  # a member of both
    bob: SimUser  # a member of both, his Telegram is in Chinese
    carol: SimUser  # owner of both groups
    dave: SimUser  # in no group
    raised: dict[int, list[BaseException]] = field(default_factory=dict)
    log: _Collect = field(default_factory=_Collect)

    @property
    def services(self) -> Services:
        assert self.runner.app is not None
        return self.runner.app.bot_data

    @property
    def people(self) -> dict[str, SimUser]:
        return {"alice": self.alice, "bob": self.bob, "carol": self.carol, "dave": self.dave}

    async def settle(self, update_id: int) -> None:
        """Wait until the update was handled and what it queued (points, notices) went out."""
        await self.runner.wait_processed(update_id, timeout=15)
        services = self.services
        await services.points_writer.flush()
        await services.outbox.idle()

    async def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, for before/after comparisons."""
        tables: dict[str, list[tuple[Any, ...]]] = {}
        async with self.services.db.engine.connect() as conn:
            for table in metadata.sorted_tables:
                rows = (await conn.execute(sa.select(table))).all()
                tables[table.name] = sorted((tuple(r) for r in rows), key=repr)
        return tables

    def _marks(self) -> _Marks:
        world = self.sim.world.chats.values()
        return _Marks(
            {c.id: c.next_message_id for c in world}, len(self.log.records), len(self.sim.errors),
            {(c.id, m.message_id): _looks(m) for c in world for m in c.messages.values() if m.from_bot},
        )

    async def expected_language(self, user: SimUser, chat: Any) -> str:
        """The language the bot should answer this user in this chat (read after the update)."""
        db = self.services.db
        if chat is not None and getattr(chat, "type", "private") != "private":
            community = await get_community(db, chat.id)
            assert community is not None
            return community.language
        preference = await get_language_preference(db, user.id)
        return pick_language(preference, user.record.language_code, self.services.settings.bot.default_language)

    async def exchange(
        self, user: SimUser, chat: Any, text: str, reply_to: MessageRecord | None = None, *, snapshot: bool = True
    ) -> Outcome:
        """Send text as user in chat (None: the private chat) and return what the bot did."""
        before = await self.dump() if snapshot else None
        marks = self._marks()
        sent = await user.send(chat, text, reply_to=reply_to)
        update_id = self.sim.last_update_id
        await self.settle(update_id)
        return await self._outcome(text, sent.chat, marks, before, update_id, user, quoting=sent)

    async def press(self, user: SimUser, message: MessageRecord, data: str, *, snapshot: bool = True) -> Outcome:
        """Press data on message as user; return the bot's answer and what else it did."""
        before = await self.dump() if snapshot else None
        marks = self._marks()
        answer = await user.press_data(message, data, timeout=10)
        update_id = self.sim.last_update_id
        await self.settle(update_id)
        outcome = await self._outcome(data, message.chat, marks, before, update_id, user)
        outcome.answer = answer
        return outcome

    async def _outcome(
        self, said: str, chat: Any, marks: _Marks, before: dict[str, list[tuple[Any, ...]]] | None,
        update_id: int, user: SimUser, quoting: MessageRecord | None = None,
    ) -> Outcome:
        replies: list[MessageRecord] = []
        others: list[MessageRecord] = []
        edited: list[MessageRecord] = []
        for record in self.sim.world.chats.values():
            for message in record.messages.values():
                if not message.from_bot:
                    continue
                if message.message_id < marks.next_ids.get(record.id, 1):
                    if marks.looks.get((record.id, message.message_id)) != _looks(message):
                        edited.append(message)
                    continue
                mine = record is chat and (record.type == "private" or quoting is None or message.reply_to is quoting)
                (replies if mine else others).append(message)
        after = await self.dump() if before is not None else None
        return Outcome(
            said=said, chat=chat, replies=replies, others=others, edited=edited,
            errors=[
                r.getMessage() + (f" {r.exc_info[1]!r}" if r.exc_info else "") for r in self.log.records[marks.logs:]
            ],
            api_errors=self.sim.errors[marks.api_errors:],
            raised=self.raised.get(update_id, []),
            changed=[name for name in (before or {}) if after is not None and after[name] != before[name]],
            lang=await self.expected_language(user, chat if chat.type != "private" else None),
        )


def check_limits(sim: Simulator) -> None:
    """Every bot message anywhere is within Telegram's text and caption limits."""
    for record in sim.world.chats.values():
        for message in record.messages.values():
            if message.from_bot:
                assert message.text is None or len(message.text) <= MAX_TEXT, message.text[:200]
                assert message.caption is None or len(message.caption) <= MAX_CAPTION, message.caption[:200]
                for button in message.buttons:
                    assert len(button.get("callback_data", "").encode()) <= 64, button


# What a message shows only when its HTML was escaped twice or sent without parse_mode.
MARKUP = ("&lt;", "&gt;", "&amp;", "&quot;", "&#", "<b>", "</b>", "<i>", "</i>", "<code>", "<a href", "</a>")


def check_rendering(sim: Simulator, outcome: Outcome) -> None:
    """No reply, button or alert shows HTML markup that no person ever typed."""
    typed = [m.content for c in sim.world.chats.values() for m in c.messages.values() if not m.from_bot]
    shown = [m.content for m in outcome.replies] + [b["text"] for m in outcome.replies for b in m.buttons]
    if outcome.answer is not None and outcome.answer.text:
        shown.append(outcome.answer.text)
    for text in shown:
        for markup in MARKUP:
            if markup in text and not any(markup in t for t in typed):
                raise AssertionError(f"{markup!r} shown as text: {text[:300]!r}\n{outcome.describe()}")


def check_sound(outcome: Outcome) -> None:
    """What holds for every update: no crash, no error answer from Telegram, the right language, no partial write."""
    assert not outcome.errors, outcome.describe()
    unexpected = [e for e in outcome.api_errors if not any(h in e["description"] for h in HARMLESS_ERRORS)]
    assert not unexpected, (unexpected, outcome.describe())
    crashed = [e for e in outcome.raised if not isinstance(e, DomainError)]
    assert not crashed, outcome.describe()
    for message in outcome.replies:
        assert speaks(message.content, outcome.lang, outcome.said), (outcome.lang, outcome.describe())
    if outcome.answer is not None:
        text = outcome.answer.text or ""
        assert len(text) <= MAX_ALERT, outcome.describe()
        if text:
            assert speaks(text, outcome.lang, outcome.said), (outcome.lang, outcome.describe())
    if outcome.refused:
        assert not outcome.changed, "a refused update changed the database: " + outcome.describe()


@asynccontextmanager
async def open_circle(db_urls: DbUrls, monkeypatch: Any, **overrides: object) -> AsyncIterator[Circle]:
    """Start the simulator and the bot; set up both groups with carol as owner, alice and bob as members."""
    monkeypatch.setenv("CIRCLEBOT_PAYLOAD_SECRET", PAYLOAD_SECRET)
    clock = FakeClock()
    sim = Simulator(clock=clock)
    await sim.start()
    collect = _Collect()
    logging.getLogger().addHandler(collect)
    try:
        onboarding = {"welcome_delay": 0, **overrides.pop("onboarding", {})}  # type: ignore[dict-item]
        # Hundreds of replies in two groups within seconds: PTB's 20-a-minute group limiter would pace them.
        telegram = {"group_max_rate": 100_000, "overall_max_rate": 100_000}
        settings = make_settings(
            sim, db_urls("bot.db"), onboarding=onboarding, telegram=telegram, **overrides
        )
        runner = BotRunner(settings, sim.token, clock=clock)
        await runner.start()
        try:
            yield await _populate(sim, runner, collect)
        finally:
            await runner.stop()
    finally:
        logging.getLogger().removeHandler(collect)
        await sim.stop()
    initiated = [e for e in sim.errors if "can't initiate conversation" in str(e)]
    assert not initiated, f"the bot tried to message users who never started it: {initiated}"


async def _populate(sim: Simulator, runner: BotRunner, collect: _Collect) -> Circle:
    carol = sim.user("Carol", username="carol_admin")
    alice = sim.user("Alice", username="alice")
    bob = sim.user("Bob", username="bob", language_code="zh-hans", last_name="Li")
    dave = sim.user("Dave", username="dave")
    group = sim.group("Python Circle", owner=carol, supergroup=True)
    zh_group = sim.group("Rust Circle", owner=carol, supergroup=True)
    circle = Circle(sim, runner, group, zh_group, alice, bob, carol, dave, log=collect)
    assert runner.app is not None
    runner.app.add_error_handler(circle_recorder(circle))
    for chat in (group, zh_group):
        await chat.add_bot(by=carol, admin=True)
        await carol.expect(chat, contains="Hello")
    await carol.send(zh_group, "/set language zh")
    await carol.expect(zh_group, contains="✅")
    # One join at a time, each welcomed before the next (welcome_delay 0): a join while a
    # welcome is due would wait for the next one.
    for user in (alice, bob):
        for chat in (group, zh_group):
            await user.join(chat)
            await carol.expect(chat, contains=user.first_name)
            await circle.settle(sim.last_update_id)
    await circle.services.outbox.idle()
    return circle


def circle_recorder(circle: Circle) -> Any:
    """An extra error handler (after the bot's own) remembering what each update raised."""

    async def remember(update: object, context: Any) -> None:
        if isinstance(update, Update) and context.error is not None:
            circle.raised.setdefault(update.update_id, []).append(context.error)

    return remember
