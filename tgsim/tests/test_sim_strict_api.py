"""Telegram's stricter API answers: flood limits on edits, unknown methods, unknown and upgraded chats."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import telegram
from telegram.error import ChatMigrated, RetryAfter

from tgsim import Simulator


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_edits_count_toward_flood_limits() -> None:
    async with Simulator(flood_limits=True) as sim:
        async with telegram.Bot(sim.token, base_url=sim.base_url) as tg:
            eve = sim.user("Eve")
            await eve.start()
            sent = await tg.send_message(eve.id, "v0")
            with pytest.raises(RetryAfter):
                for i in range(1, 10):
                    await tg.edit_message_text(f"v{i}", eve.id, sent.message_id)
            assert sim.errors[-1]["method"] == "editMessageText" and sim.errors[-1]["code"] == 429
            assert sim.world.chats[eve.id].messages[sent.message_id].text in ("v2", "v3")  # burst of 3


async def test_unknown_methods_answer_404_and_are_recorded(sim: Simulator) -> None:
    async with httpx.AsyncClient() as client:
        missing = await client.post(f"{sim.base_url}{sim.token}/sendDice", json={"chat_id": 1})
    assert missing.status_code == 404
    assert missing.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert sim.unknown_methods == ["sendDice"]


@pytest.mark.parametrize(("method", "params"), [
    ("getChat", {}), ("getChatMember", {"user_id": 1}), ("getChatAdministrators", {}),
    ("sendMessage", {"text": "hi"}), ("deleteMessage", {"message_id": 1}),
    ("editMessageText", {"message_id": 1, "text": "x"}), ("pinChatMessage", {"message_id": 1}),
    ("banChatMember", {"user_id": 1}), ("setMessageReaction", {"message_id": 1}),
    ("sendChatAction", {"action": "typing"}), ("copyMessage", {"from_chat_id": 1, "message_id": 1}),
])
async def test_unknown_chat_ids_answer_chat_not_found(sim: Simulator, method: str, params: dict[str, Any]) -> None:
    async with httpx.AsyncClient() as client:
        reply = await client.post(f"{sim.base_url}{sim.token}/{method}", json={"chat_id": -100777, **params})
    assert reply.status_code == 400
    assert reply.json()["description"] == "Bad Request: chat not found"


async def test_an_upgraded_group_answers_reads_and_refuses_writes(sim: Simulator, tg: telegram.Bot,
                                                                  carol: Any) -> None:
    old = sim.group("Basic", owner=carol, supergroup=False)
    await old.add_bot(by=carol, admin=True)
    post = await carol.send(old, "before the upgrade")
    new = await old.migrate_to_supergroup()
    assert (await tg.get_chat(old.id)).id == old.id
    me = await tg.get_chat_member(old.id, sim.bot.id)
    assert me.user.id == sim.bot.id
    copied = await tg.copy_message(new.id, old.id, post.message_id)  # reading from the old chat
    assert copied.message_id > 0
    with pytest.raises(ChatMigrated) as raised:
        await tg.send_message(old.id, "hello")
    assert raised.value.new_chat_id == new.id
    with pytest.raises(ChatMigrated):
        await tg.edit_message_text("x", old.id, post.message_id)
    with pytest.raises(ChatMigrated):
        await tg.get_chat_member(old.id, carol.id)  # member lists count as writes
    async with httpx.AsyncClient() as client:
        reply = await client.post(f"{sim.base_url}{sim.token}/deleteMessage",
                                  json={"chat_id": old.id, "message_id": post.message_id})
    assert reply.json() == {"ok": False, "error_code": 400,
                            "description": "Bad Request: group chat was upgraded to a supergroup chat",
                            "parameters": {"migrate_to_chat_id": new.id}}
