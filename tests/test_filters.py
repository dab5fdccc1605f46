"""NOT_STATUS_UPDATE is exactly ~filters.StatusUpdate.ALL, in one pass."""

from __future__ import annotations

import datetime as dt
import inspect
import re

import pytest
from telegram import Chat, Message, Update, User
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
