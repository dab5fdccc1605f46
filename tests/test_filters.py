"""NOT_STATUS_UPDATE is exactly ~filters.StatusUpdate.ALL, in one pass."""

from __future__ import annotations

import datetime as dt
import inspect
import re

import pytest
from telegram import Chat, Message, MessageEntity, Update, User
from telegram.ext import filters

from handlers.common import NOT_STATUS_UPDATE, STATUS_FIELDS


def _ptb_fields() -> list[str]:
    """Read the message fields PTB's StatusUpdate.ALL looks at from its source."""
    names = re.findall(r"StatusUpdate\.(\w+)\.check_update", inspect.getsource(filters.StatusUpdate._All.filter))
    assert len(names) > 40
    fields: list[str] = []
    for name in names:
        fields += re.findall(r"message\.(\w+)", inspect.getsource(type(getattr(filters.StatusUpdate, name)).filter))
    return fields


def test_the_fields_are_those_ptb_checks() -> None:
    assert sorted(STATUS_FIELDS) == sorted(_ptb_fields())


def _update(**fields: object) -> Update:
    chat = Chat(-100, "supergroup")
    user = User(1, "Alice", False)
    message = Message(7, dt.datetime(2026, 3, 2, tzinfo=dt.UTC), chat, from_user=user, **fields)
    return Update(1, message=message)


@pytest.mark.parametrize(
    "fields",
    [
        {"text": "hello there"},
        {"caption": "a photo"},
        {"new_chat_members": (User(2, "Bob", False),)},
        {"left_chat_member": User(2, "Bob", False)},
        {"new_chat_title": "New title"},
        {"pinned_message": Message(3, dt.datetime(2026, 3, 1, tzinfo=dt.UTC), Chat(-100, "supergroup"))},
        {"migrate_to_chat_id": -1002},
        {"migrate_from_chat_id": -1003},
        {"group_chat_created": True},
        {"delete_chat_photo": True},
        {"message_auto_delete_timer_changed": None, "text": "x"},
    ],
)
def test_it_agrees_with_ptb(fields: dict[str, object]) -> None:
    update = _update(**fields)
    assert bool(NOT_STATUS_UPDATE.check_update(update)) == (not filters.StatusUpdate.ALL.check_update(update))


def _variants() -> list[Update]:
    """Updates a group message handler may see: messages of every kind, edits, posts, private chats."""
    date = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    group, private, channel = Chat(-100, "supergroup"), Chat(5, "private"), Chat(-200, "channel")
    small_group = Chat(-300, "group")
    user = User(1, "Alice", False)
    command = MessageEntity("bot_command", 0, 4)
    late_command = MessageEntity("bot_command", 6, 4)
    messages = [
        dict(text="hello there"), dict(text="/top 7d", entities=(command,)),
        dict(text="hello /top", entities=(late_command,)),
        dict(caption="a photo"), dict(new_chat_members=(User(2, "Bob", False),)), dict(new_chat_title="New"),
        dict(text="x", pinned_message=Message(3, date, group)), dict(),
    ]
    updates: list[Update] = []
    for n, fields in enumerate(messages):
        for chat in (group, small_group, private):
            message = Message(10 + n, date, chat, from_user=user, **fields)
            updates += [Update(1, message=message), Update(2, edited_message=message)]
        updates.append(Update(3, channel_post=Message(50 + n, date, channel, **fields)))
    return updates


def test_the_fused_points_filter_agrees_with_the_merged_one() -> None:
    from handlers.points import SAID_IN_GROUP

    merged = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    updates = _variants()
    assert any(bool(merged.check_update(u)) for u in updates)
    for update in updates:
        assert bool(SAID_IN_GROUP.check_update(update)) == bool(merged.check_update(update)), update
