"""Telegram's stricter rules: the 48-hour delete window, all-or-nothing deleteMessages."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
import telegram
from telegram.error import BadRequest

from tgsim import Simulator


class MovableClock:
    """A clock that moves only when a test says so."""

    def __init__(self) -> None:
        self.moment = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += dt.timedelta(**delta)


@pytest.fixture
async def timed() -> AsyncIterator[tuple[Simulator, MovableClock, telegram.Bot]]:
    """A simulator on a movable clock and a PTB Bot talking to it."""
    clock = MovableClock()
    async with Simulator(clock=clock) as sim:
        async with telegram.Bot(sim.token, base_url=sim.base_url) as tg:
            yield sim, clock, tg


@pytest.fixture
def carol(timed: Any) -> Any:
    return timed[0].user("Carol", username="carol_admin")


@pytest.fixture
def alice(timed: Any) -> Any:
    return timed[0].user("Alice", username="alice")


async def test_bots_cannot_delete_after_48_hours(timed: Any, carol: Any) -> None:
    sim, clock, tg = timed
    group = sim.group("Circle", owner=carol)
    await group.add_bot(by=carol, admin=True, can_delete_messages=True)
    old = await carol.send(group, "posted long ago")
    clock.advance(hours=47, minutes=59)
    fresh = await carol.send(group, "posted just now")
    assert await tg.delete_message(group.id, old.message_id)  # 47:59 old: still allowed
    older = await carol.send(group, "another old one")
    clock.advance(hours=48)
    with pytest.raises(BadRequest) as raised:
        await tg.delete_message(group.id, older.message_id)
    assert sim.errors[-1]["description"] == "Bad Request: message can't be deleted"
    assert "can't be deleted" in str(raised.value) and not older.deleted
    assert not fresh.deleted


async def test_private_chat_old_messages_cannot_be_deleted_for_everyone(timed: Any, alice: Any) -> None:
    sim, clock, tg = timed
    await alice.start()
    sent = await tg.send_message(alice.id, "hello")
    clock.advance(hours=49)
    with pytest.raises(BadRequest, match="(?i)message can't be deleted for everyone"):
        await tg.delete_message(alice.id, sent.message_id)


async def test_delete_messages_is_all_or_nothing(timed: Any, carol: Any) -> None:
    sim, clock, tg = timed
    group = sim.group("Circle", owner=carol)
    await group.add_bot(by=carol, admin=True, can_delete_messages=True)
    old = await carol.send(group, "old post")
    clock.advance(hours=50)
    new = await carol.send(group, "new post")
    with pytest.raises(BadRequest, match="(?i)message can't be deleted"):
        await tg.delete_messages(group.id, [new.message_id, old.message_id])
    assert not new.deleted and not old.deleted
    assert await tg.delete_messages(group.id, [new.message_id, 9999])  # missing ids are skipped
    assert new.deleted
    assert await tg.delete_messages(group.id, [9998, 9999])


async def test_without_the_right_only_own_messages(timed: Any, carol: Any) -> None:
    sim, clock, tg = timed
    group = sim.group("Circle", owner=carol)
    await group.add_bot(by=carol, admin=False)
    theirs = await carol.send(group, "carol's words")
    mine = await tg.send_message(group.id, "bot words")
    with pytest.raises(BadRequest, match="(?i)message can't be deleted"):
        await tg.delete_message(group.id, theirs.message_id)
    assert await tg.delete_message(group.id, mine.message_id)


async def test_updates_expire_after_24_hours(timed: Any, alice: Any) -> None:
    sim, clock, tg = timed
    await alice.start()
    await alice.send(None, "yesterday")
    clock.advance(hours=23)
    await alice.send(None, "this morning")
    clock.advance(hours=1, seconds=1)  # "yesterday" is now 24 h 1 s old
    texts = [u.message.text for u in await tg.get_updates(timeout=0)]
    assert texts == ["this morning"]
    assert len(sim.updates.expired) == 2  # /start and "yesterday"
    await tg.set_webhook("http://127.0.0.1:9/never")  # nothing listens there: every delivery fails
    await alice.send(None, "undeliverable")
    assert (await tg.get_webhook_info()).pending_update_count == 2
    clock.advance(hours=25)
    assert (await tg.get_webhook_info()).pending_update_count == 0
