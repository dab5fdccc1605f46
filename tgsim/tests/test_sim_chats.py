"""Groups: bot membership updates, admins, moderation rights, join requests, migration, commands."""

from __future__ import annotations

import pytest
import telegram
from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeChat, ChatPermissions
from telegram.error import BadRequest, ChatMigrated

from tgsim import Simulator

ALL = ["message", "edited_message", "callback_query", "my_chat_member", "chat_member", "chat_join_request",
       "message_reaction", "pre_checkout_query"]


async def test_add_bot_and_member_updates(sim: Simulator, tg: telegram.Bot, drain, alice, carol) -> None:
    await drain(allowed=ALL)
    group = sim.group("Python Circle", owner=carol)
    await group.add_bot(by=carol, admin=False)
    updates = await drain()
    assert updates[0].my_chat_member.new_chat_member.status == "member"
    assert updates[1].message.new_chat_members[0].id == sim.bot.id
    await alice.join(group)  # bot is no admin: no chat_member, but the service message arrives
    updates = await drain()
    assert [bool(u.chat_member) for u in updates] == [False] and updates[0].message.new_chat_members[0].id == alice.id
    await group.set_bot_rights(can_restrict_members=True, can_delete_messages=True)
    [update] = await drain()
    assert update.my_chat_member.new_chat_member.status == "administrator"
    assert update.my_chat_member.new_chat_member.can_restrict_members
    await alice.leave(group)
    updates = await drain()
    assert updates[0].chat_member.old_chat_member.status == "member"
    assert updates[0].chat_member.new_chat_member.status == "left"
    assert updates[1].message.left_chat_member.id == alice.id
    group.promote(alice)  # alice is not in the group any more, but promotion still reports
    [update] = await drain()
    assert update.chat_member.new_chat_member.status == "administrator"
    admins = await tg.get_chat_administrators(group.id)
    assert [a.status for a in admins] == ["creator", "administrator", "administrator"]
    assert await tg.get_chat_member_count(group.id) == 3
    assert (await tg.get_chat_member(group.id, carol.id)).status == "creator"
    await alice.start()
    with pytest.raises(BadRequest, match="(?i)there are no administrators in the private chat"):
        await tg.get_chat_administrators(alice.id)


async def test_moderation_rights(sim: Simulator, tg: telegram.Bot, drain, alice, bob, carol) -> None:
    group = sim.group("Circle", owner=carol)
    await group.add_bot(by=carol, admin=True, can_restrict_members=False)
    await alice.join(group)
    with pytest.raises(BadRequest, match="(?i)not enough rights to restrict/unrestrict chat member"):
        await tg.restrict_chat_member(group.id, alice.id, ChatPermissions(can_send_messages=False))
    await group.set_bot_rights(can_restrict_members=True)
    with pytest.raises(BadRequest, match="(?i)can't remove chat owner"):
        await tg.ban_chat_member(group.id, carol.id)
    group.promote(bob)
    with pytest.raises(BadRequest, match="(?i)user is an administrator of the chat"):
        await tg.restrict_chat_member(group.id, bob.id, ChatPermissions(can_send_messages=False))
    await drain(allowed=ALL)
    assert await tg.restrict_chat_member(group.id, alice.id, ChatPermissions(can_send_messages=False))
    member = await tg.get_chat_member(group.id, alice.id)
    assert member.status == "restricted" and member.is_member and not member.can_send_messages
    with pytest.raises(Exception, match="restricted"):
        await alice.send(group, "let me talk")
    assert await tg.restrict_chat_member(group.id, alice.id, ChatPermissions.all_permissions())
    assert (await tg.get_chat_member(group.id, alice.id)).status == "member"
    assert await tg.ban_chat_member(group.id, alice.id)
    assert (await tg.get_chat_member(group.id, alice.id)).status == "kicked"
    assert await tg.unban_chat_member(group.id, alice.id, only_if_banned=True)
    assert (await tg.get_chat_member(group.id, alice.id)).status == "left"
    statuses = [u.chat_member.new_chat_member.status for u in await drain() if u.chat_member]
    assert statuses == ["restricted", "member", "kicked", "left"]
    basic = sim.group("Basic", owner=carol, supergroup=False)
    await basic.add_bot(by=carol)
    with pytest.raises(BadRequest, match="(?i)method is available only for supergroups"):
        await tg.restrict_chat_member(basic.id, carol.id, ChatPermissions(can_send_messages=False))
    pinned = await tg.send_message(group.id, "Read the rules")
    assert await tg.pin_chat_message(group.id, pinned.message_id)
    assert (await tg.get_chat(group.id)).pinned_message.message_id == pinned.message_id
    await group.set_bot_rights(can_pin_messages=False)
    with pytest.raises(BadRequest, match="(?i)not enough rights to manage pinned messages"):
        await tg.pin_chat_message(group.id, pinned.message_id)


async def test_join_requests(sim: Simulator, tg: telegram.Bot, drain, alice, bob, carol) -> None:
    group = sim.group("Gated", owner=carol, join_by_request=True)
    await group.add_bot(by=carol)
    await drain(allowed=ALL)
    await alice.join(group)
    [update] = await drain()
    request = update.chat_join_request
    assert request.from_user.id == alice.id and request.user_chat_id == alice.id
    await tg.send_message(request.user_chat_id, "Please read the rules first")  # allowed while pending
    with pytest.raises(BadRequest, match="(?i)hide_requester_missing"):
        await tg.approve_chat_join_request(group.id, bob.id)
    assert await request.approve()
    updates = await drain()
    assert updates[0].chat_member.via_join_request and updates[0].chat_member.new_chat_member.status == "member"
    assert updates[1].message.new_chat_members[0].id == alice.id
    with pytest.raises(BadRequest, match="(?i)user_already_participant"):
        await tg.approve_chat_join_request(group.id, alice.id)
    await bob.request_join(group)
    assert await tg.decline_chat_join_request(group.id, bob.id)
    assert not group.member(bob).active
    await group.set_bot_rights(can_invite_users=False)
    await carol.kick(group, alice)
    assert group.member(alice).status == "kicked"
    with pytest.raises(BadRequest, match="(?i)chat_admin_required"):
        await tg.approve_chat_join_request(group.id, bob.id)


async def test_migration(sim: Simulator, tg: telegram.Bot, drain, alice, carol) -> None:
    group = sim.group("Small", owner=carol, supergroup=False)
    await group.add_bot(by=carol)
    await alice.join(group)
    await drain(allowed=ALL)
    supergroup = await group.migrate_to_supergroup()
    assert supergroup.type == "supergroup" and str(supergroup.id).startswith("-100")
    updates = await drain()
    assert updates[0].message.migrate_to_chat_id == supergroup.id
    assert updates[1].message.migrate_from_chat_id == group.id and updates[1].message.chat.id == supergroup.id
    with pytest.raises(ChatMigrated) as raised:
        await tg.send_message(group.id, "hello?")
    assert raised.value.new_chat_id == supergroup.id
    assert sim.errors[-1]["description"] == "Bad Request: group chat was upgraded to a supergroup chat"
    await tg.send_message(supergroup.id, "hello again")
    assert supergroup.member(alice).active
    assert (await tg.get_chat(supergroup.id)).type == "supergroup"


async def test_commands_per_scope(sim: Simulator, tg: telegram.Bot, alice, carol) -> None:
    group = sim.group("Circle", owner=carol)
    await group.add_bot(by=carol)
    assert await tg.set_my_commands([BotCommand("start", "Start"), BotCommand("me", "My profile")])
    assert await tg.set_my_commands([BotCommand("ask", "Ask")], scope=BotCommandScopeAllGroupChats())
    assert await tg.set_my_commands([BotCommand("award", "Award")], scope=BotCommandScopeChat(group.id),
                                    language_code="de")
    assert [c.command for c in await tg.get_my_commands()] == ["start", "me"]
    assert [c.command for c in await tg.get_my_commands(scope=BotCommandScopeAllGroupChats())] == ["ask"]
    assert await tg.get_my_commands(scope=BotCommandScopeChat(group.id)) == ()
    assert [c.command for c in await tg.get_my_commands(scope=BotCommandScopeChat(group.id), language_code="de")] \
        == ["award"]
    with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
        await tg.set_my_commands([BotCommand("Bad-Command", "x")])
    assert await tg.delete_my_commands()
    assert await tg.get_my_commands() == ()
    assert await tg.send_chat_action(group.id, "typing")
    with pytest.raises(BadRequest, match="(?i)wrong parameter action"):
        await tg.send_chat_action(group.id, "dancing")
