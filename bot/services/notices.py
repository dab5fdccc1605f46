"""Notices: what the bot must tell a chat, queued in the caller's transaction and sent after commit.

A notice is a kind (e.g. `points.level_up`), its parameters and a recipient. It is rendered
in the recipient's language when it is sent (bot/views/notices.py), so a language change
before the send is honoured. The transaction that queues it wakes the sender when it
commits (storage.db.Database.on_outbox_commit); nobody sends by hand.

A notice whose parameters hold `"allow_paid_broadcast": true` (PAID_BROADCAST; queue it with
paid_broadcast=True) is sent with Telegram's paid broadcast (up to 1000 messages a second,
0.1 Star each), for communities that pay for fast mass sends. Renderers ignore the key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.i18n import resolve_language
from bot.services.settings import read_private_language
from storage.models import OutboxMessage
from storage.db import Database
from storage.repos import Repos

# The parameter that marks a notice for paid broadcast (no column: it travels with the notice).
PAID_BROADCAST = "allow_paid_broadcast"


async def queue_notice(
    repos: Repos,
    key: str,
    chat_id: int,
    kind: str,
    now: dt.datetime,
    *,
    community_id: int | None = None,
    not_before: dt.datetime | None = None,
    paid_broadcast: bool = False,
    **params: Any,
) -> bool:
    """Queue a notice once per key inside the caller's transaction; False when the key was used."""
    if community_id is None and chat_id < 0:
        community_id = chat_id  # a group notice is about that group's community
    if paid_broadcast:
        params[PAID_BROADCAST] = True
    return await repos.outbox.enqueue(
        key, chat_id, kind, params, now, community_id=community_id, not_before=not_before
    )


async def private_language(repos: Repos, user_id: int, community_id: int | None) -> str:
    """Return the language for a private message: the user's choice, their Telegram one, else the community's."""
    return await read_private_language(repos, user_id, community_id)


async def get_private_language(db: Database, user_id: int, community_id: int | None) -> str:
    """Return the language to write to a user in private about a community."""
    async with db.read() as repos:
        return await private_language(repos, user_id, community_id)


async def notice_language(repos: Repos, message: OutboxMessage) -> str:
    """Return the language a notice is rendered in: the group's, or the private recipient's."""
    if message.chat_id < 0:
        community = await repos.communities.get(message.chat_id)
        return resolve_language(None, community.language if community else None)
    return await private_language(repos, message.chat_id, message.community_id)


def is_paid_broadcast(message: OutboxMessage) -> bool:
    """Tell whether a notice goes out as a paid broadcast."""
    return message.params.get(PAID_BROADCAST) is True


async def unreachable_since(repos: Repos, message: OutboxMessage) -> dt.datetime | None:
    """Return when a private notice's recipient was found to have blocked the bot (None: reachable)."""
    if message.chat_id < 0:
        return None
    user = await repos.users.get(message.chat_id)
    return user.blocked_at if user is not None else None
