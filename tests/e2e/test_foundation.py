"""The first path end to end: bot added to a group, greeting, /start, /help, /set."""

from __future__ import annotations

import json

import pytest
from telegram import Update
from telegram.ext import CommandHandler

from bot.runner import BotRunner
from bot.services.communities import get_community


def _scope_type(scope: object) -> str | None:
    if isinstance(scope, str):
        scope = json.loads(scope)
    return scope.get("type") if isinstance(scope, dict) else None


async def _group_texts(sim, chat) -> list[str]:
    return [m.text or "" for m in sim.bot_messages(chat)]


async def test_bot_added_registers_community_and_greets_once(sim, runner: BotRunner, carol) -> None:
    group = sim.group("Python Circle", owner=carol, supergroup=True)
    await group.add_bot(by=carol, admin=False)
    greeting = await carol.expect(group, contains="Hello")
    assert "Python Circle" in greeting.text
    assert "delete messages" in greeting.text and "invite users" in greeting.text
    community = await get_community(runner.app.bot_data.db, group.id)
    assert community is not None and community.status == "active"

    # The same my_chat_member update delivered again changes nothing.
    added_update = max(u for u, entry in sim.updates.all.items() if entry.kind == "my_chat_member")
    copies = sim.duplicate_update(added_update, times=2)
    await runner.wait_processed(max(copies))
    assert sum("Hello" in t for t in await _group_texts(sim, group)) == 1


async def test_removed_and_readded_keeps_community_and_greets_again(sim, runner: BotRunner, carol) -> None:
    group = sim.group("Rust Circle", owner=carol, supergroup=True)
    await group.add_bot(by=carol, admin=True)
    first = await carol.expect(group, contains="Hello")
    assert "I have the rights I need" in first.text
    await group.remove_bot(by=carol)
    db = runner.app.bot_data.db
    await runner.wait_processed(sim.last_update_id)
    assert (await get_community(db, group.id)).status == "left"
    await group.add_bot(by=carol, admin=True)
    await carol.expect(group, contains="Hello")
    community = await get_community(db, group.id)
    assert community.status == "active"


async def test_start_in_private_lists_communities(sim, group, carol, alice) -> None:
    await alice.start()
    reply = await alice.expect()
    assert "not in a community yet" in reply.text
    await carol.start()
    reply = await carol.expect()
    assert "Python Circle" in reply.text


async def test_start_deep_link(sim, group, alice) -> None:
    await alice.start(payload=f"join_{group.id}")
    assert "Welcome to Python Circle" in (await alice.expect()).text
    await alice.start(payload="join_-100999")
    assert "don't know" in (await alice.expect()).text


async def test_help_differs_for_admins_and_members(sim, group, carol, alice) -> None:
    await alice.join(group)
    await alice.send(group, "/help")
    member_help = await alice.expect(group, contains="Commands for")
    await carol.send(group, "/help")
    admin_help = await carol.expect(group, contains="Commands for admins")
    assert "/settings" in admin_help.text and "/settings" not in member_help.text
    assert "/help" in member_help.text


async def test_help_in_private_and_chinese(sim, group, bob) -> None:
    await bob.start()
    await bob.expect()
    await bob.send(None, "/help")
    reply = await bob.expect()
    assert "你在这里可以做的事" in reply.text


async def test_commands_registered_per_scope(sim, runner: BotRunner) -> None:
    calls = [r["params"] for r in sim.requests if r["method"].lower() == "setmycommands"]
    scopes = {_scope_type(p.get("scope")) for p in calls}
    assert {"all_private_chats", "all_group_chats", "all_chat_administrators"} <= scopes
    assert any(p.get("language_code") == "zh" for p in calls)


async def test_set_language_by_admin_and_refused_to_member(sim, group, carol, alice) -> None:
    await alice.join(group)
    await alice.send(group, "/set language zh")
    assert "Only the community's admins" in (await alice.expect(group, contains="admins")).text
    await carol.send(group, "/set language klingon")
    assert "Unknown language" in (await carol.expect(group, contains="language")).text
    await carol.send(group, "/set language zh")
    assert "语言：中文（zh）" in (await carol.expect(group, contains="✅")).text
    await alice.send(group, "/help")
    assert "成员命令" in (await alice.expect(group, contains="命令")).text


async def test_unexpected_error_gets_apology_not_traceback(sim, runner: BotRunner, alice) -> None:
    async def explode(update: Update, context) -> None:
        raise RuntimeError("kaboom")

    runner.app.add_handler(CommandHandler("explode", explode), group=-3)  # ahead of every other handler
    await alice.start()
    await alice.expect()
    await alice.send(None, "/explode")
    reply = await alice.expect()
    assert "Sorry, something went wrong" in reply.text
    assert "kaboom" not in reply.text and "Traceback" not in reply.text


@pytest.mark.allow_forbidden
async def test_set_my_commands_failure_is_not_fatal(sim, settings, clock, alice) -> None:
    sim.fail_method("setMyCommands", 400, "Bad Request: BOT_COMMAND_INVALID")
    bot = BotRunner(settings, sim.token, clock=clock)
    await bot.start()
    try:
        await alice.start()
        assert "Welcome" in (await alice.expect()).text
    finally:
        await bot.stop()
