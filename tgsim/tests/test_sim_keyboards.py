"""Reply keyboards, ReplyKeyboardRemove and ForceReply: validated like Telegram, kept in the users' apps."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import telegram
from telegram import (
    ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove,
)
from telegram.error import BadRequest

from tgsim import Simulator
from tgsim.errors import ScriptError


async def test_private_reply_keyboard_press_and_remove(sim: Simulator, tg: telegram.Bot, alice: Any) -> None:
    await alice.start()
    sent = await tg.send_message(alice.id, "Pick one", reply_markup=ReplyKeyboardMarkup([["Yes", "No"], ["Later"]]))
    assert sent.reply_markup is None  # a Message carries inline keyboards only
    assert alice.keyboard() == [["Yes", "No"], ["Later"]]
    pressed = await alice.press_key("No")
    assert pressed.text == "No" and pressed.reply_to is None
    updates = [u.message.text for u in await tg.get_updates() if u.message]
    assert updates[-1] == "No"
    assert alice.keyboard() == [["Yes", "No"], ["Later"]]  # stays until removed
    with pytest.raises(ScriptError, match="no reply keyboard button"):
        await alice.press_key("Maybe")
    await tg.send_message(alice.id, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert alice.keyboard() == []


async def test_one_time_keyboard_hides_after_a_press(sim: Simulator, tg: telegram.Bot, alice: Any) -> None:
    await alice.start()
    await tg.send_message(alice.id, "Once", reply_markup=ReplyKeyboardMarkup([["Go"]], one_time_keyboard=True))
    await alice.press_key("Go")
    assert alice.keyboard() == []


async def test_force_reply_prompt_until_the_user_answers(sim: Simulator, tg: telegram.Bot, alice: Any) -> None:
    await alice.start()
    sent = await tg.send_message(alice.id, "Your title?", reply_markup=ForceReply(input_field_placeholder="Title"))
    prompt = alice.force_reply_prompt()
    assert prompt is not None and prompt.message_id == sent.message_id
    await alice.reply(prompt, "My title")
    assert alice.force_reply_prompt() is None


async def test_selective_keyboard_in_a_group(sim: Simulator, tg: telegram.Bot, alice: Any, bob: Any,
                                             carol: Any) -> None:
    group = sim.group("Circle", owner=carol)
    await group.add_bot(by=carol)
    await alice.join(group)
    await bob.join(group)
    ask = await bob.send(group, "what now?")
    await tg.send_message(group.id, "Choose", reply_to_message_id=ask.message_id,
                          reply_markup=ReplyKeyboardMarkup([["A"]], selective=True))
    assert bob.keyboard(group) == [["A"]] and alice.keyboard(group) == []
    await tg.send_message(group.id, "For all", reply_markup=ReplyKeyboardMarkup([["B"]]))
    assert alice.keyboard(group) == [["B"]] and bob.keyboard(group) == [["B"]]
    with pytest.raises(BadRequest, match="(?i)phone number can be requested in private chats only"):
        await tg.send_message(group.id, "Phone?", reply_markup=ReplyKeyboardMarkup(
            [[KeyboardButton("Share", request_contact=True)]]))


@pytest.mark.parametrize(("markup", "description"), [
    ("[1]", "object expected as reply markup"),
    ("{bad json", "can't parse reply keyboard markup JSON object"),
    ('{"keyboard": "x"}', 'field "keyboard" must be of type Array'),
    ('{"keyboard": ["x"]}', 'field "keyboard" must be an Array of Arrays'),
    ('{"keyboard": [[1]]}', "can't parse keyboard button: KeyboardButton must be a String or an Object"),
    ('{"keyboard": [[{"txt": "a"}]]}', 'can\'t parse keyboard button: Can\'t find field "text"'),
    ('{"keyboard": [["a"]], "resize_keyboard": "yes"}', 'field "resize_keyboard" must be of type Boolean'),
    ('{"inline_keyboard": [{"text": "a"}]}',
     'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'),
    ('{"inline_keyboard": [[{"text": "a"}]]}',
     "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"),
])
async def test_markup_field_errors(sim: Simulator, alice: Any, markup: str, description: str) -> None:
    await alice.start()
    async with httpx.AsyncClient() as client:
        reply = await client.post(f"{sim.base_url}{sim.token}/sendMessage",
                                  data={"chat_id": alice.id, "text": "x", "reply_markup": markup})
    assert reply.json() == {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}


async def test_edits_take_inline_keyboards_only(sim: Simulator, tg: telegram.Bot, alice: Any) -> None:
    await alice.start()
    inline = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    sent = await tg.send_message(alice.id, "v1", reply_markup=inline)
    with pytest.raises(BadRequest, match="(?i)inline keyboard expected"):
        await tg.edit_message_text("v2", alice.id, sent.message_id, reply_markup=ReplyKeyboardRemove())
