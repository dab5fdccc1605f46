"""The outbox at Telegram's limits, end to end: the real bot against the simulator's flood control.

The simulator answers 429 like Telegram when a chat or the bot sends too fast; these tests
check that the outbox never gets one, keeps each chat's order, waits out a 429 it is given,
stops writing to members who blocked the bot (and starts again when they write), drops
notices for chats that are gone, and never holds a reply behind a background batch.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncIterator, Sequence

import pytest

from bot.clock import FakeClock
from bot.gateway.outbox import OutboxSender
from bot.runner import BotRunner
from bot.services.notices import queue_notice
from storage.db import Database
from storage.models import OutboxMessage
from tests.fixtures import make_settings
from tgsim import SimChat, Simulator, SimUser
from tgsim.world import Member
from tests.databases import DbUrls

pytestmark = pytest.mark.flood_limits


@pytest.fixture
async def bot(sim: Simulator, db_urls: DbUrls, clock: FakeClock) -> AsyncIterator[BotRunner]:
    """The bot with a slower outbox (10/s) so that a batch lasts long enough to watch."""
    runner = BotRunner(make_settings(sim, db_urls("bot.db"), telegram={"outbox_rate": 10}), sim.token, clock=clock)
    await runner.start()
    try:
        yield runner
    finally:
        await runner.stop()


def _db(runner: BotRunner) -> Database:
    assert runner.app is not None
    return runner.app.bot_data.db


def _members(sim: Simulator, count: int) -> list[SimUser]:
    """People who started the bot long ago (no /start now, so their chats are quiet)."""
    people = [sim.user(f"Member{i}", username=f"member{i}") for i in range(count)]
    for person in people:
        person.record.started = True
    return people


def _groups(sim: Simulator, owner: SimUser, count: int) -> list[SimChat]:
    """Groups where the bot already is a member (no greeting to wait for)."""
    groups = [sim.group(f"Circle {i}", owner=owner) for i in range(count)]
    for group in groups:
        group.chat.members[sim.bot.id] = Member(sim.bot, "member", is_member=True)
    return groups


async def _queue(db: Database, clock: FakeClock, notices: Sequence[tuple[int, str]], paid: bool = False) -> None:
    """Queue (chat id, text) notices in one transaction, in this order; its commit wakes the sender."""
    async with db.transaction() as repos:
        for chat_id, text in notices:
            await queue_notice(repos, f"test:{text}", chat_id, "prerendered", clock.now(), paid_broadcast=paid, text=text)


def _texts(sim: Simulator, chat_id: int) -> list[str]:
    return [m.content for m in sim.bot_messages(chat_id, sim.world.chats[chat_id].private_user)]


def _stamps(sim: Simulator, chat_id: int) -> list[float]:
    return [m.stamp for m in sim.world.chats[chat_id].messages.values() if m.from_bot]


def _delivered(sim: Simulator, chats: Sequence[int]) -> int:
    return sum(len(_stamps(sim, chat)) for chat in chats)


async def _row(db: Database, text: str) -> OutboxMessage:
    async with db.read() as repos:
        row = await repos.outbox.get_by_key(f"test:{text}")
    assert row is not None
    return row


def _outbox(runner: BotRunner) -> OutboxSender:
    """The bot's sender; idle() returns once the pass a commit started is over."""
    assert runner.app is not None
    return runner.app.bot_data.outbox


async def test_a_batch_to_many_chats_keeps_every_limit_and_every_chat_order(
    sim: Simulator, runner: BotRunner, clock: FakeClock, carol: SimUser
) -> None:
    people, groups = _members(sim, 30), _groups(sim, carol, 3)
    chats = [p.id for p in people] + [g.chat.id for g in groups]
    # Each chat's two notices queued together: the second must wait its chat's turn while
    # the other chats' notices go (slept on, the 33 waits would take over 30 s).
    notices = [(chat, f"notice {n} to {chat}") for chat in chats for n in range(2)]
    started = time.monotonic()
    await _queue(_db(runner), clock, notices)
    await sim.wait_for(lambda: _delivered(sim, chats) >= len(notices), timeout=15)
    assert time.monotonic() - started < 6.0  # 66 notices at 25/s, the last ones a second after the first
    assert sim.flood.refused == 0 and not [e for e in sim.errors if e["code"] == 429]
    for chat in chats:
        assert _texts(sim, chat) == [f"notice 0 to {chat}", f"notice 1 to {chat}"]  # once each, in order
        first, second = _stamps(sim, chat)
        assert second - first >= 1.0  # never two within a second in one chat


async def test_a_429_pauses_the_sender_and_the_notice_arrives_once(
    sim: Simulator, runner: BotRunner, clock: FakeClock
) -> None:
    db = _db(runner)
    first, *others = _members(sim, 4)
    sim.flood_wait("sendMessage", 1)
    asked = time.monotonic()
    await _queue(db, clock, [(first.id, "refused once")])
    await sim.wait_for(lambda: sim.errors)
    # Queued during the pause: for other chats, yet they wait too (Telegram said stop).
    await _queue(db, clock, [(p.id, f"during the pause {p.id}") for p in others])
    await sim.wait_for(lambda: _delivered(sim, [p.id for p in (first, *others)]) == 4, timeout=10)
    assert [e["code"] for e in sim.errors] == [429]
    assert min(s for p in (first, *others) for s in _stamps(sim, p.id)) >= asked + 1.0
    assert _texts(sim, first.id) == ["refused once"]  # once
    await _outbox(runner).idle()
    row = await _row(db, "refused once")
    assert row.status == "sent" and row.attempts == 0  # a flood wait is not a failed attempt


async def test_a_429_on_a_reply_is_waited_out_and_the_reply_sent(sim: Simulator, runner: BotRunner, alice: SimUser) -> None:
    await alice.start()
    await alice.expect(contains="Welcome")
    sim.flood_wait("sendMessage", 1)
    asked = time.monotonic()
    await alice.send(None, "/help")
    reply = await alice.expect()  # retried by the bot's rate limiter (telegram.max_retries)
    assert reply.stamp >= asked + 1.0 and [e["code"] for e in sim.errors] == [429]


async def test_a_member_who_blocked_the_bot_is_skipped_until_they_write_again(
    sim: Simulator, runner: BotRunner, clock: FakeClock
) -> None:
    db = _db(runner)
    dana = sim.user("Dana", username="dana")
    await dana.start()
    await dana.expect(contains="Welcome")
    dana.record.blocked = True  # blocked while the bot was away: only the 403 tells
    await _queue(db, clock, [(dana.id, "refused")])
    await _outbox(runner).idle()
    assert [(e["code"], e["description"]) for e in sim.errors] == [(403, "Forbidden: bot was blocked by the user")]
    refused = await _row(db, "refused")
    assert refused.status == "skipped" and "blocked by the user" in (refused.last_error or "")
    await _queue(db, clock, [(dana.id, "skipped")])
    await _outbox(runner).idle()
    assert len(sim.errors) == 1  # not even tried
    assert (await _row(db, "skipped")).status == "skipped"

    await dana.send(None, "hi again")  # writing to the bot unblocks it
    await dana.expect()  # the bot answers the message
    await _queue(db, clock, [(dana.id, "welcome back")])
    assert (await dana.expect(contains="welcome back")).content == "welcome back"

    await dana.block_bot()  # this time Telegram tells the bot (my_chat_member)
    await runner.wait_processed(sim.last_update_id)
    assert await _blocked(db, dana.id)
    await _queue(db, clock, [(dana.id, "after the block")])
    await _outbox(runner).idle()
    assert (await _row(db, "after the block")).status == "skipped" and len(sim.errors) == 1
    assert _texts(sim, dana.id)[-1] != "after the block"


async def _blocked(db: Database, user_id: int) -> bool:
    async with db.read() as repos:
        user = await repos.users.get(user_id)
    return user is not None and user.blocked_at is not None


async def test_notices_for_chats_that_are_gone_are_dropped(
    sim: Simulator, runner: BotRunner, clock: FakeClock, carol: SimUser
) -> None:
    db = _db(runner)
    (kicked,) = _groups(sim, carol, 1)
    kicked.chat.members[sim.bot.id] = Member(sim.bot, "kicked")
    (erin,) = _members(sim, 1)
    await _queue(db, clock, [(777, "nowhere"), (kicked.chat.id, "kicked"), (erin.id, "still sent")])
    await erin.expect(contains="still sent")
    await _outbox(runner).idle()
    nowhere, gone = await _row(db, "nowhere"), await _row(db, "kicked")
    assert (nowhere.status, nowhere.attempts) == ("failed", 1) and "chat not found" in (nowhere.last_error or "").lower()
    assert gone.status == "failed" and "kicked" in (gone.last_error or "")


async def test_a_network_error_is_retried_after_a_backoff(sim: Simulator, runner: BotRunner, clock: FakeClock) -> None:
    db = _db(runner)
    (fay,) = _members(sim, 1)
    sim.fail_method("sendMessage", 502, "Bad Gateway", times=1)
    await _queue(db, clock, [(fay.id, "second try")])
    await _outbox(runner).idle()
    row = await _row(db, "second try")
    assert (row.status, row.last_error) == ("pending", "Bad Gateway") and row.not_before is not None
    assert row.not_before - clock.now() == dt.timedelta(seconds=2)  # then 4, 8, ... (8 attempts)
    clock.advance(seconds=2)
    _outbox(runner).wake()  # what the periodic outbox job does
    assert (await fay.expect(contains="second try")).content == "second try"
    assert _texts(sim, fay.id) == ["second try"]


async def test_a_reply_does_not_wait_behind_a_background_batch(
    sim: Simulator, bot: BotRunner, clock: FakeClock, alice: SimUser
) -> None:
    await alice.start()
    await alice.expect(contains="Welcome")
    people = _members(sim, 30)
    chats = [p.id for p in people]
    await _queue(_db(bot), clock, [(chat, f"digest for {chat}") for chat in chats])  # 3 s at 10/s
    await sim.wait_for(lambda: _delivered(sim, chats) >= 5)
    asked = time.monotonic()
    await alice.send(None, "/help")
    reply = await alice.expect()
    assert reply.stamp - asked < 1.0
    assert _delivered(sim, chats) < len(chats)  # the batch is still going
    await sim.wait_for(lambda: _delivered(sim, chats) == len(chats), timeout=10)
    assert sim.flood.refused == 0


async def test_paid_broadcasts_go_faster_than_the_outbox_rate(
    sim: Simulator, bot: BotRunner, clock: FakeClock
) -> None:
    people = _members(sim, 40)
    chats = [p.id for p in people]
    started = time.monotonic()
    await _queue(_db(bot), clock, [(chat, f"paid {chat}") for chat in chats], paid=True)
    await sim.wait_for(lambda: _delivered(sim, chats) == len(chats), timeout=10)
    assert time.monotonic() - started < 2.0  # at 10/s these would take 4 s
    sends = [r for r in sim.requests if r["method"] == "sendMessage"]
    assert len(sends) == 40 and all(r["params"].get("allow_paid_broadcast") in (True, "true", "True") for r in sends)
    assert sim.flood.refused == 0
