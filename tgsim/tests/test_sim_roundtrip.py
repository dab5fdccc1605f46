"""Every supported method's raw JSON result must round-trip through PTB's de_json without loss."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import telegram
from telegram import (
    BotCommand, ChatFullInfo, ChatInviteLink, ChatMember, File, InputFile, Message, MessageId, StarTransactions,
    TelegramObject, Update, User, WebhookInfo,
)

from tgsim import Simulator
from tgsim.methods import all_methods

ALIASES = {"close": "logout", "getchatmemberscount": "getchatmembercount", "kickchatmember": "banchatmember"}


def assert_no_unknown_fields(obj: Any, path: str) -> None:
    """Fail when PTB had to park a field in api_kwargs (misnamed or unknown field)."""
    if isinstance(obj, TelegramObject):
        assert not obj.api_kwargs, f"{path}: unknown fields {dict(obj.api_kwargs)}"
        for cls in type(obj).__mro__:
            for name in getattr(cls, "__slots__", ()):
                if not name.startswith("_") and name != "api_kwargs":
                    assert_no_unknown_fields(getattr(obj, name, None), f"{path}.{name}")
    elif isinstance(obj, tuple | list):
        for i, item in enumerate(obj):
            assert_no_unknown_fields(item, f"{path}[{i}]")


def prune_defaults(ptb: Any, raw: Any) -> Any:
    """Drop the always-False flags PTB adds to Message.to_dict() (group_chat_created...) when raw lacks them."""
    if isinstance(ptb, dict) and isinstance(raw, dict):
        return {k: prune_defaults(v, raw.get(k)) for k, v in ptb.items() if k in raw or v is not False}
    if isinstance(ptb, list) and isinstance(raw, list) and len(ptb) == len(raw):
        return [prune_defaults(p, r) for p, r in zip(ptb, raw, strict=True)]
    return ptb


def drop_empty_arrays(raw: Any) -> Any:
    """PTB omits empty arrays (old_reaction: []) in to_dict(); compare without them."""
    if isinstance(raw, dict):
        return {k: drop_empty_arrays(v) for k, v in raw.items() if v != []}
    if isinstance(raw, list):
        return [drop_empty_arrays(v) for v in raw]
    return raw


def roundtrip(cls: type[TelegramObject], raw: Any, bot: telegram.Bot, path: str) -> None:
    """de_json → to_dict must give back exactly the raw object."""
    items = raw if isinstance(raw, list) else [raw]
    for i, item in enumerate(items):
        obj = cls.de_json(item, bot)
        assert obj is not None, path
        assert_no_unknown_fields(obj, f"{path}[{i}]")
        back = prune_defaults(obj.to_dict(), item)
        item = drop_empty_arrays(item)
        assert back == item, f"{path}[{i}]:\nraw  {item}\nptb  {back}"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")
async def test_every_method_round_trips(sim: Simulator, tg: telegram.Bot) -> None:
    checked: dict[str, Any] = {}

    async def call(method: str, cls: type[TelegramObject] | type | None = None, **kwargs: Any) -> Any:
        raw = await tg.do_api_request(method, api_kwargs=kwargs)
        if isinstance(cls, type) and issubclass(cls, TelegramObject):
            roundtrip(cls, raw, tg, method)
        elif cls is not None:
            assert isinstance(raw, cls), (method, raw)
        checked[method.lower()] = raw
        return raw

    alice = sim.user("Alice", username="alice", stars=1000, last_name="Liddell")
    carol = sim.user("Carol", username="carol")
    group = sim.group("Round Trip", owner=carol, username="roundtrip", join_by_request=False)
    await call("getUpdates", Update, allowed_updates=list(Update.ALL_TYPES), timeout=0)
    await group.add_bot(by=carol)
    await alice.start("join_1")
    await alice.join(group)
    note = await alice.send(group, "hello @carol see https://example.org #intro /help")
    await alice.edit(note, "hello again /help@circle_bot")
    await alice.send_photo(group, b"\xff\xd8photo", caption="pic")
    await alice.send_document(None, "a.txt", b"abc", caption="doc")
    await alice.react(note, "👍")
    group.promote(alice, can_pin_messages=True)
    group.demote(alice)
    bob = sim.user("Bob")
    gated = sim.group("Gated", owner=carol, join_by_request=True, supergroup=True)
    await gated.add_bot(by=carol)
    await bob.join(gated)
    small = sim.group("Small", owner=carol, supergroup=False)
    await small.add_bot(by=carol)
    await small.migrate_to_supergroup()

    await call("getMe", User)
    await call("getWebhookInfo", WebhookInfo)
    sent = await call("sendMessage", Message, chat_id=group.id, text="<b>Hi</b> <i>all</i> /start",
                      parse_mode="HTML", reply_parameters={"message_id": note.message_id},
                      reply_markup={"inline_keyboard": [[{"text": "Go", "callback_data": "go"},
                                                         {"text": "Web", "url": "https://t.me/roundtrip"}]]})
    await call("editMessageText", Message, chat_id=group.id, message_id=sent["message_id"], text="Edited",
               reply_markup={"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]})
    await call("editMessageReplyMarkup", Message, chat_id=group.id, message_id=sent["message_id"])
    photo = await call("sendPhoto", Message, chat_id=alice.id, photo=InputFile(b"\xff\xd8x", filename="p.jpg"),
                       caption="<b>c</b>", parse_mode="HTML")
    await call("editMessageCaption", Message, chat_id=alice.id, message_id=photo["message_id"], caption="new")
    doc = await call("sendDocument", Message, chat_id=alice.id, document=InputFile(b"data", filename="d.txt"))
    await call("getFile", File, file_id=doc["document"]["file_id"])
    await call("forwardMessage", Message, chat_id=alice.id, from_chat_id=group.id, message_id=note.message_id)
    await call("copyMessage", MessageId, chat_id=alice.id, from_chat_id=group.id, message_id=note.message_id)
    await call("sendChatAction", bool, chat_id=group.id, action="typing")
    await call("setMessageReaction", bool, chat_id=group.id, message_id=note.message_id,
               reaction=[{"type": "emoji", "emoji": "🔥"}])
    await call("pinChatMessage", bool, chat_id=group.id, message_id=sent["message_id"])
    await call("getChat", ChatFullInfo, chat_id=group.id)
    await call("getChat", ChatFullInfo, chat_id="@roundtrip")
    await call("getChat", ChatFullInfo, chat_id=alice.id)
    await call("unpinChatMessage", bool, chat_id=group.id, message_id=sent["message_id"])
    await call("unpinAllChatMessages", bool, chat_id=group.id)
    await call("getChatAdministrators", ChatMember, chat_id=group.id)
    await call("getChatMember", ChatMember, chat_id=group.id, user_id=alice.id)
    await call("getChatMemberCount", int, chat_id=group.id)
    await call("restrictChatMember", bool, chat_id=group.id, user_id=alice.id,
               permissions={"can_send_messages": False})
    await call("getChatMember", ChatMember, chat_id=group.id, user_id=alice.id)
    await call("banChatMember", bool, chat_id=group.id, user_id=alice.id)
    await call("getChatMember", ChatMember, chat_id=group.id, user_id=alice.id)
    await call("unbanChatMember", bool, chat_id=group.id, user_id=alice.id, only_if_banned=True)
    await call("getChatMember", ChatMember, chat_id=group.id, user_id=alice.id)
    await call("approveChatJoinRequest", bool, chat_id=gated.id, user_id=bob.id)
    await sim.user("Dave").request_join(gated)
    dave_id = max(sim.world.users)
    await call("declineChatJoinRequest", bool, chat_id=gated.id, user_id=dave_id)
    invite = await call("createChatInviteLink", ChatInviteLink, chat_id=group.id, name="Erin", member_limit=1,
                        expire_date=sim.now() + 3600)
    await sim.user("Erin").join_by_link(invite["invite_link"])  # the chat_member update names the link
    await call("revokeChatInviteLink", ChatInviteLink, chat_id=group.id, invite_link=invite["invite_link"])
    await call("setMyCommands", bool, commands=[{"command": "start", "description": "Start"}],
               scope={"type": "chat_member", "chat_id": group.id, "user_id": carol.id}, language_code="en")
    await call("getMyCommands", BotCommand, scope={"type": "chat_member", "chat_id": group.id,
                                                   "user_id": carol.id}, language_code="en")
    await call("deleteMyCommands", bool)
    await call("deleteMessage", bool, chat_id=group.id, message_id=sent["message_id"])
    await call("deleteMessages", bool, chat_id=alice.id, message_ids=[photo["message_id"], 999])
    invoice = await call("sendInvoice", Message, chat_id=alice.id, title="Guide", description="A guide",
                         payload="order:1", currency="XTR", prices=[{"label": "Guide", "amount": 10}])
    link = await call("createInvoiceLink", str, title="Plan", description="Monthly", payload="plan:1",
                      currency="XTR", prices=[{"label": "Month", "amount": 20}], subscription_period=2592000)

    async def answer_queries() -> None:
        answered = 0
        while answered < 2:
            pending = await sim.wait_for(lambda: [q for q in sim.payments.pending if not sim.payments.pending[q].done()])
            await call("answerPreCheckoutQuery", bool, pre_checkout_query_id=pending[0], ok=True)
            answered += 1

    answering = asyncio.create_task(answer_queries())
    paid = await alice.pay(sim.world.chats[alice.id].messages[invoice["message_id"]])
    sub = await alice.pay(link)
    await answering
    assert paid.ok and sub.ok
    await sim.renew_subscription(sub.charge_id)
    await call("refundStarPayment", bool, user_id=alice.id, telegram_payment_charge_id=paid.charge_id)
    await call("getStarTransactions", StarTransactions)

    async def answer_callback() -> None:
        query_id = await sim.wait_for(lambda: next((q for q, f in sim.callback_answers.items() if not f.done()), None))
        await call("answerCallbackQuery", bool, callback_query_id=query_id, text="ok")

    answering = asyncio.create_task(answer_callback())
    keyboard_msg = await tg.send_message(alice.id, "press", reply_markup=telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("Yes", callback_data="yes")]]))
    await alice.press(sim.world.chats[alice.id].messages[keyboard_msg.message_id], "Yes")
    await answering
    await call("leaveChat", bool, chat_id=gated.id)
    updates = await call("getUpdates", Update, timeout=0)
    kinds = {key for update in updates for key in update if key != "update_id"}
    assert kinds >= {"message", "edited_message", "callback_query", "my_chat_member", "chat_member",
                     "chat_join_request", "message_reaction", "pre_checkout_query"}, kinds
    service = {key for update in updates for key in update.get("message", {})}
    assert service >= {"new_chat_members", "migrate_to_chat_id", "migrate_from_chat_id", "successful_payment",
                       "photo", "document", "forward_origin"} - {"forward_origin"}, service
    await call("setWebhook", bool, url="http://127.0.0.1:9/hook", secret_token="abc")
    await call("getWebhookInfo", WebhookInfo)
    await call("deleteWebhook", bool, drop_pending_updates=True)
    await call("logOut", bool)
    await call("close", bool)

    supported = {ALIASES.get(name, name) for name in all_methods()}
    assert supported - set(checked) == set(), f"methods never round-tripped: {supported - set(checked)}"
