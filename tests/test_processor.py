"""The update processor keeps one chat in order and runs different chats in parallel."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.processor import ChatOrderedProcessor


def _update(update_id: int, chat_id: int) -> Update:
    user = User(id=chat_id, first_name="U", is_bot=False)
    message = Message(message_id=update_id, date=None, chat=Chat(id=chat_id, type="private"), from_user=user)
    return Update(update_id=update_id, message=message)


async def test_same_chat_in_order_other_chats_in_parallel() -> None:
    done: list[int] = []
    processor = ChatOrderedProcessor(16, on_done=lambda uid, _t: done.append(uid))
    log: list[tuple[int, str]] = []
    release_first = asyncio.Event()
    other_chat_ran = asyncio.Event()

    async def slow_first() -> None:
        log.append((1, "start"))
        await release_first.wait()
        log.append((1, "end"))

    async def record(uid: int) -> None:
        log.append((uid, "run"))
        if uid == 3:
            other_chat_ran.set()

    tasks = [
        asyncio.create_task(processor.process_update(_update(1, 100), slow_first())),
        asyncio.create_task(processor.process_update(_update(2, 100), record(2))),
        asyncio.create_task(processor.process_update(_update(3, 200), record(3))),
    ]
    await asyncio.wait_for(other_chat_ran.wait(), 2)
    # Chat 200 ran while chat 100's first update was still busy; its second update waited.
    assert (2, "run") not in log
    release_first.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 2)
    assert log.index((1, "end")) < log.index((2, "run"))
    assert sorted(done) == [1, 2, 3]
    assert processor._locks == {}  # noqa: SLF001 - locks of idle chats are released


async def test_busy_chat_does_not_starve_other_chats() -> None:
    processor = ChatOrderedProcessor(2)
    release = asyncio.Event()
    other_ran = asyncio.Event()

    async def block() -> None:
        await release.wait()

    async def mark() -> None:
        other_ran.set()

    # Ten updates of one chat are queued ahead of another chat's update, with room to run two.
    busy = [asyncio.create_task(processor.process_update(_update(i, 100), block())) for i in range(1, 11)]
    other = asyncio.create_task(processor.process_update(_update(11, 200), mark()))
    await asyncio.wait_for(other_ran.wait(), 2)
    release.set()
    await asyncio.wait_for(asyncio.gather(*busy, other), 2)
