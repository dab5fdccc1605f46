"""Messages through a real PTB Bot: sending rules, HTML, entities, keyboards, edits, files."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter

from tgsim import Simulator


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data)] for text, data in pairs])


async def test_http_level_errors(sim: Simulator) -> None:
    async with httpx.AsyncClient() as client:
        bad = await client.post(f"{sim.base_url}999:WRONG/getMe")
        assert bad.status_code == 401 and bad.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        missing = await client.post(f"{sim.base_url}{sim.token}/noSuchMethod")
        assert missing.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        upper = await client.get(f"{sim.base_url}{sim.token}/GETME")
        assert upper.json()["result"]["username"] == "circle_bot"
        as_json = await client.post(f"{sim.base_url}{sim.token}/getChat", json={"chat_id": 42})
        assert as_json.json()["description"] == "Bad Request: chat not found"


async def test_private_chat_rules(sim: Simulator, tg: telegram.Bot, alice, bob) -> None:
    with pytest.raises(Forbidden, match="(?i)bot can't initiate conversation with a user"):
        await tg.send_message(alice.id, "hi")
    with pytest.raises(BadRequest, match="(?i)Chat not found"):
        await tg.send_message(-4242, "hi")
    await alice.start()
    sent = await tg.send_message(alice.id, "hi Alice")
    assert sent.chat.id == alice.id and sent.from_user.username == "circle_bot"
    with pytest.raises(BadRequest, match="(?i)Message text is empty"):
        await tg.send_message(alice.id, "   ")
    with pytest.raises(BadRequest, match="(?i)Message is too long"):
        await tg.send_message(alice.id, "x" * 4097)
    await tg.send_message(alice.id, "x" * 4096)
    await alice.block_bot()
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await tg.send_message(alice.id, "still there?")
    assert [e["description"] for e in sim.errors][-1] == "Forbidden: bot was blocked by the user"
    await alice.unblock_bot()
    await tg.send_message(alice.id, "welcome back")


async def test_group_membership_rules(sim: Simulator, tg: telegram.Bot, alice, carol) -> None:
    group = sim.group("Python Circle", owner=carol)
    with pytest.raises(Forbidden, match="(?i)bot is not a member of the supergroup chat"):
        await tg.send_message(group.id, "hello")
    await group.add_bot(by=carol)
    await tg.send_message(group.id, "hello")
    await group.remove_bot(by=carol)
    with pytest.raises(Forbidden, match="(?i)bot was kicked from the supergroup chat"):
        await tg.send_message(group.id, "hello?")
    basic = sim.group("Old school", owner=carol, supergroup=False)
    assert basic.id < 0 and not str(basic.id).startswith("-100") and str(group.id).startswith("-100")
    with pytest.raises(Forbidden, match="(?i)bot is not a member of the group chat"):
        await tg.send_message(basic.id, "hello")


async def test_html_and_auto_entities(sim: Simulator, tg: telegram.Bot, alice) -> None:
    await alice.start()
    msg = await tg.send_message(alice.id, "<b>Hi</b> &lt;3 <a href=\"https://x.org\">link</a> /help @alice_x 😀 <i>x</i>",
                                parse_mode=ParseMode.HTML)
    assert msg.text == "Hi <3 link /help @alice_x 😀 x"
    types = [(e.type, msg.parse_entity(e)) for e in msg.entities]
    assert types == [("bold", "Hi"), ("text_link", "link"), ("bot_command", "/help"),
                     ("mention", "@alice_x"), ("italic", "x")]
    assert msg.entities[-1].offset == 29  # the emoji counts as two UTF-16 units
    with pytest.raises(BadRequest, match="(?i)Can't parse entities: unsupported start tag \"foo\""):
        await tg.send_message(alice.id, "<foo>x</foo>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)Can't find end tag corresponding to start tag \"b\""):
        await tg.send_message(alice.id, "<b>x", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)unsupported parse_mode"):
        await tg.send_message(alice.id, "*x*", parse_mode=ParseMode.MARKDOWN_V2)
    user_msg = await alice.send(None, "see /rules@circle_bot and /start now")
    assert [e["type"] for e in user_msg.entities] == ["bot_command", "bot_command"]
    [update] = [u for u in await tg.get_updates() if u.message and u.message.text.startswith("see")]
    assert update.message.parse_entities(["bot_command"]).values() is not None
    assert list(update.message.parse_entities(["bot_command"]).values()) == ["/rules@circle_bot", "/start"]


async def test_keyboard_press_and_answer(sim: Simulator, tg: telegram.Bot, alice) -> None:
    await alice.start()
    await tg.get_updates()
    with pytest.raises(BadRequest, match="(?i)Button_data_invalid"):
        await tg.send_message(alice.id, "x", reply_markup=keyboard(("Too long", "x" * 65)))
    sent = await tg.send_message(alice.id, "Rules: be nice", reply_markup=keyboard(("I accept", "rules:ok")))
    msg = await alice.expect()
    assert msg.message_id == sent.message_id and msg.button_texts == ["I accept"]

    async def answer() -> None:
        updates = await tg.get_updates(timeout=5, offset=-1)
        query = updates[-1].callback_query
        assert query.data == "rules:ok" and query.message.message_id == sent.message_id
        await query.answer("Thanks!", show_alert=True)
        with pytest.raises(BadRequest, match="(?i)Query is too old"):
            await query.answer("twice")

    import asyncio

    task = asyncio.create_task(answer())
    result = await alice.press(msg, "I accept")
    await task
    assert (result.text, result.show_alert) == ("Thanks!", True)
    with pytest.raises(BadRequest, match="(?i)Query is too old"):
        await tg.answer_callback_query("12345")
    with pytest.raises(TimeoutError, match="(?i)did not answer callback query"):
        await alice.press_data(msg, "forged:data", timeout=0.2)
    forged = (await tg.get_updates(offset=-1))[-1].callback_query
    assert forged.data == "forged:data"


async def test_edits_and_deletes(sim: Simulator, tg: telegram.Bot, alice) -> None:
    await alice.start()
    sent = await tg.send_message(alice.id, "v1", reply_markup=keyboard(("A", "a")))
    with pytest.raises(BadRequest, match="(?i)Message is not modified"):
        await tg.edit_message_text("v1", alice.id, sent.message_id, reply_markup=keyboard(("A", "a")))
    edited = await tg.edit_message_text("v2", alice.id, sent.message_id)
    assert edited.text == "v2" and edited.edit_date is not None and edited.reply_markup is None
    with pytest.raises(BadRequest, match="(?i)Message to edit not found"):
        await tg.edit_message_text("v3", alice.id, 9999)
    mine = await alice.send(None, "my own words")
    with pytest.raises(BadRequest, match="(?i)Message can't be edited"):
        await tg.edit_message_text("hijack", alice.id, mine.message_id)
    await tg.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=keyboard(("B", "b")))
    assert sim.world.chats[alice.id].messages[sent.message_id].button_texts == ["B"]
    assert await tg.delete_message(alice.id, sent.message_id)
    with pytest.raises(BadRequest, match="(?i)Message to delete not found"):
        await tg.delete_message(alice.id, sent.message_id)
    assert "(edited)" in sim.transcript(alice) and "[deleted]" in sim.transcript(alice)
    await alice.edit(mine, "my better words")
    updates = await tg.get_updates()
    assert updates[-1].edited_message.text == "my better words"


async def test_files_copy_forward(sim: Simulator, tg: telegram.Bot, alice, carol) -> None:
    await alice.start()
    doc_msg = await tg.send_document(alice.id, b"%PDF-1.4 hello", filename="guide.pdf", caption="The guide")
    doc = doc_msg.document
    assert doc.file_name == "guide.pdf" and doc_msg.caption == "The guide"
    again = await tg.send_document(alice.id, doc.file_id)
    assert again.document.file_unique_id == doc.file_unique_id
    file = await tg.get_file(doc.file_id)
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 hello"
    with pytest.raises(BadRequest, match="(?i)Wrong file identifier/http url specified"):
        await tg.send_document(alice.id, "nonsense-file-id")
    photo = await tg.send_photo(alice.id, b"\xff\xd8fakejpeg", caption="pic")
    assert len(photo.photo) == 2 and photo.photo[-1].width > photo.photo[0].width
    with pytest.raises(BadRequest, match="(?i)can't use file of type"):
        await tg.send_photo(alice.id, doc.file_id)
    with pytest.raises(BadRequest, match="(?i)Message caption is too long"):
        await tg.send_document(alice.id, doc.file_id, caption="c" * 1025)
    uploaded = await alice.send_document(None, "notes.txt", b"my notes", caption="for you")
    group = sim.group("Circle", owner=carol)
    await group.add_bot(by=carol)
    copy_id = await tg.copy_message(group.id, alice.id, uploaded.message_id)
    copied = sim.world.chats[group.id].messages[copy_id.message_id]
    assert copied.extra["document"]["file_name"] == "notes.txt" and copied.caption == "for you"
    forwarded = await tg.forward_message(group.id, alice.id, uploaded.message_id)
    assert forwarded.forward_origin.sender_user.id == alice.id
    with pytest.raises(BadRequest, match="(?i)Message to copy not found"):
        await tg.copy_message(group.id, alice.id, 777)


async def test_reactions_and_privacy(alice, carol) -> None:
    async with Simulator(privacy_mode=True) as sim:
        async with telegram.Bot(sim.token, base_url=sim.base_url) as tg:
            group = sim.group("Quiet", owner=carol)
            await group.add_bot(by=carol, admin=False)
            await tg.get_updates(allowed_updates=["message", "message_reaction"])
            bob = sim.user("Bob")
            dave = sim.user("Dave")
            await bob.join(group)
            await dave.join(group)
            chatter = await bob.send(group, "just chatting")
            await bob.send(group, "/ask how?")
            texts = [u.message.text for u in await tg.get_updates() if u.message and u.message.text]
            assert texts == ["/ask how?"]
            await dave.react(chatter, "❤️")
            assert not [u for u in await tg.get_updates(timeout=0) if u.message_reaction]
            await group.set_bot_rights(can_delete_messages=True)
            await dave.react(chatter, "🔥")
            await dave.unreact(chatter)
            reactions = [u.message_reaction for u in await tg.get_updates() if u.message_reaction]
            assert [r.new_reaction[0].emoji if r.new_reaction else None for r in reactions] == ["🔥", None]
            assert reactions[0].old_reaction[0].emoji == "❤"  # Telegram drops the variation selector
            with pytest.raises(BadRequest, match="(?i)Reaction_invalid"):
                await tg.set_message_reaction(group.id, chatter.message_id, "🦖")
            assert await tg.set_message_reaction(group.id, chatter.message_id, "👍")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_limits() -> None:
    async with Simulator(flood_limits=True) as sim:
        async with telegram.Bot(sim.token, base_url=sim.base_url) as tg:
            user = sim.user("Eve")
            await user.start()
            with pytest.raises(RetryAfter) as raised:
                for i in range(10):
                    await tg.send_message(user.id, f"spam {i}")
            assert "retry in" in str(raised.value).lower()
            assert sim.errors[-1]["code"] == 429
            assert sim.errors[-1]["description"].startswith("Too Many Requests: retry after ")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_paid_broadcasts_have_their_own_overall_limit_and_flood_wait_is_injectable() -> None:
    async with Simulator(flood_limits=True, overall_rate=2) as sim:
        async with telegram.Bot(sim.token, base_url=sim.base_url) as tg:
            people = [sim.user(f"Reader{i}") for i in range(4)]
            for person in people:
                await person.start()
            for person in people:  # over the overall limit of 2/s, but paid broadcasts go up to 1000/s
                await tg.send_message(person.id, "paid", allow_paid_broadcast=True)
            await tg.send_message(people[0].id, "one")
            await tg.send_message(people[1].id, "two")
            with pytest.raises(RetryAfter):
                await tg.send_message(people[2].id, "over the overall limit")
            assert sim.flood.refused == 1
            sim.flood_wait("sendMessage", 7)
            with pytest.raises(RetryAfter) as raised:
                await tg.send_message(people[3].id, "told to wait")
            assert raised.value.retry_after in (7, dt.timedelta(seconds=7))
            first, second = sim.bot_messages(people[0].id)
            assert second.stamp >= first.stamp  # when the simulator stored each message
