"""An edited message never runs its command again; error replies speak the community's language."""

from __future__ import annotations

import datetime as dt

from telegram import Chat, Message, Update, User
from telegram.ext import CommandHandler, ConversationHandler

from bot.app import build_application
from bot.runner import BotRunner
from tests.fixtures import stored

GROUP_ID = -1001234


def _edited_command(text: str) -> Update:
    user = User(7, "Eve", False)
    message = Message(
        1, dt.datetime(2026, 1, 5, tzinfo=dt.UTC), Chat(GROUP_ID, "supergroup"), from_user=user, text=text,
        edit_date=dt.datetime(2026, 1, 5, 0, 1, tzinfo=dt.UTC),
    )
    return Update(1, edited_message=message)


def _command_handlers(handlers: list) -> list[CommandHandler]:
    found = []
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            nested = [*handler.entry_points, *handler.fallbacks, *(h for hs in handler.states.values() for h in hs)]
            found += _command_handlers(nested)
        elif isinstance(handler, CommandHandler):
            found.append(handler)
    return found


def test_no_command_handler_runs_for_an_edited_message(settings) -> None:
    app = build_application(settings, "123:ABC")
    handlers = _command_handlers([h for group in app.handlers.values() for h in group])
    assert len(handlers) > 25
    for handler in handlers:
        for name in handler.commands:
            assert not handler.check_update(_edited_command(f"/{name} 1 2 3")), f"/{name} runs again when edited"


async def test_an_edited_faq_add_leaves_one_entry(sim, runner: BotRunner, group, carol) -> None:
    sent = await carol.send(group, "/faq add How do I reset my password? | Send /reset to the bot.")
    await carol.expect(group, contains="Added FAQ #1")
    await carol.edit(sent, "/faq add How do I change my e-mail? | Write to the admins.")
    await carol.send(group, "/faq")
    listing = await carol.expect(group, contains="FAQ")
    assert "reset my password" in listing.text and "e-mail" not in listing.text
    async with stored(runner.settings.storage.url) as repos:
        assert [e.number for e in await repos.faq.list(group.id, 0, 10)] == [1]


async def test_an_edited_plain_line_is_not_applied_as_set(sim, runner: BotRunner, group, carol) -> None:
    sent = await carol.send(group, "just a message")
    await carol.edit(sent, "/set welcome Edited in")
    await carol.send(group, "/settings")
    shown = await carol.expect(group, contains="welcome")
    assert "Edited in" not in shown.text


async def test_errors_in_a_chinese_community_are_chinese(sim, runner: BotRunner, group, carol, alice) -> None:
    await carol.send(group, "/set language zh")
    await carol.expect(group, contains="✅")
    await alice.join(group)
    await alice.send(group, "/accept")  # not a reply to an answer: a usage error from the service
    assert (await alice.expect(group, contains="/accept")).text == "请用 /accept 回复一条回答来采纳它。"
    await alice.send(group, "/award @carol_admin 5 thanks")  # admins only
    reply = await alice.expect(group)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in reply.text), reply.text


async def test_a_member_hears_admins_only_before_any_usage_text(sim, runner: BotRunner, group, alice) -> None:
    await alice.join(group)
    for text in ("/price", "/price 1 x y z", "/unpublish", "/unpublish 1 2"):
        await alice.send(group, text)
        reply = await alice.expect(group, contains="admins")
        assert reply.text == "Only the community's admins can do that.", text
