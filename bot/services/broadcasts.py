"""Broadcasts (the creator's console): an admin's message to every member who wants them.

A draft is previewed to the admin; Send moves it to `sending` once (a second press finds it
moved) and queues one outbox notice per recipient, keyed by broadcast and member, in the same
transaction, audited. The outbox sender delivers them at Telegram's limits; Cancel takes back
what no sender has claimed yet. Recipients are the members present in the group who started
the bot, did not block it and did not turn broadcasts off (`/set broadcasts off`), but the author.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.errors import NotAdmin, NotFound, Usage
from bot.services.settings import effective_member_settings
from storage.db import Database
from storage.models import Broadcast
from storage.repos import Repos

MAX_TEXT = 3500  # leaves room for the title line within Telegram's 4096
NOTICE_KIND = "console/broadcast"
OPT_OUT = "broadcasts"  # the member preference that turns them off


def parse_broadcast(text: str) -> str:
    """Return the text to broadcast, or raise Usage when it is empty or too long."""
    text = text.strip()
    if not text:
        raise Usage("broadcast.usage")
    if len(text) > MAX_TEXT:
        raise Usage("broadcast.too_long", limit=MAX_TEXT, count=len(text))
    return text


def _keys(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}:%"


@dataclass(frozen=True)
class Progress:
    """How far a broadcast got: notices by outcome."""

    total: int
    sent: int
    unreachable: int
    failed: int
    cancelled: int

    @property
    def waiting(self) -> int:
        """Notices not sent yet (queued or in flight)."""
        return self.total - self.sent - self.unreachable - self.failed - self.cancelled


async def _recipients(repos: Repos, config: Settings, community_id: int, author_id: int) -> list[int]:
    """Members who can be written to and want broadcasts, except the author (who has the preview)."""
    members = await repos.digests.recipients(community_id, (OPT_OUT,))
    return [m.user_id for m in members
            if m.user_id != author_id and effective_member_settings(m.preferences, config)[OPT_OUT]]


async def do_draft_broadcast(
    db: Database, clock: Clock, config: Settings, community_id: int, admin_id: int, text: str
) -> tuple[Broadcast, int]:
    """Store a draft; return it and how many members it would reach now."""
    now = clock.now()
    async with db.transaction() as repos:
        broadcast = await repos.broadcasts.add(community_id, admin_id, text, now)
        reach = len(await _recipients(repos, config, community_id, admin_id))
    return broadcast, reach


async def do_remember_preview(db: Database, clock: Clock, broadcast_id: int, chat_id: int, message_id: int) -> None:
    """Remember the admin's preview message, which shows the progress later."""
    async with db.transaction() as repos:
        await repos.broadcasts.set_message(broadcast_id, chat_id, message_id, clock.now())


async def get_broadcast(db: Database, broadcast_id: int) -> Broadcast:
    """Return a broadcast or raise NotFound."""
    async with db.read() as repos:
        broadcast = await repos.broadcasts.get(broadcast_id)
    if broadcast is None:
        raise NotFound("broadcast.unknown")
    return broadcast


async def _own(repos: Repos, broadcast_id: int, actor_id: int) -> Broadcast:
    """Return the broadcast, held until commit, if the actor wrote it; raise NotFound or NotAdmin otherwise."""
    broadcast = await repos.broadcasts.lock(broadcast_id)
    if broadcast is None:
        raise NotFound("broadcast.unknown")
    if broadcast.admin_id != actor_id:
        raise NotAdmin("broadcast.not_yours")
    return broadcast


async def do_send_broadcast(
    db: Database, clock: Clock, config: Settings, broadcast_id: int, actor_id: int
) -> Broadcast | None:
    """Queue a draft for every recipient, once; None when it was sent or cancelled already."""
    now = clock.now()
    async with db.transaction() as repos:
        broadcast = await _own(repos, broadcast_id, actor_id)
        recipients = await _recipients(repos, config, broadcast.community_id, actor_id)
        if not await repos.broadcasts.move(broadcast_id, ("draft",), "sending", now, recipients=len(recipients)):
            return None
        community = await repos.communities.get(broadcast.community_id)
        params = {"broadcast": broadcast_id, "title": community.title if community else "", "text": broadcast.text}
        await repos.outbox.enqueue_many([
            {"dedupe_key": f"broadcast:{broadcast_id}:{user_id}", "chat_id": user_id,
             "community_id": broadcast.community_id, "kind": NOTICE_KIND, "params": params, "not_before": None}
            for user_id in recipients
        ], now)
        await repos.audit.add(broadcast.community_id, actor_id, "broadcast.send", None,
                              {"broadcast": broadcast_id, "recipients": len(recipients)}, now)
        return await repos.broadcasts.get(broadcast_id)


async def do_cancel_broadcast(db: Database, clock: Clock, broadcast_id: int, actor_id: int) -> Broadcast | None:
    """Cancel a draft, or stop one going out (what a sender holds still goes); None when it had ended."""
    now = clock.now()
    async with db.transaction() as repos:
        broadcast = await _own(repos, broadcast_id, actor_id)
        if not await repos.broadcasts.move(broadcast_id, ("draft", "sending"), "cancelled", now):
            return None
        if broadcast.status == "sending":
            taken_back = await repos.outbox.cancel_pending(broadcast.community_id, _keys(broadcast_id), now)
            await repos.audit.add(broadcast.community_id, actor_id, "broadcast.cancel", None,
                                  {"broadcast": broadcast_id, "recipients": taken_back}, now)
        return await repos.broadcasts.get(broadcast_id)


async def get_progress(db: Database, broadcast: Broadcast) -> Progress:
    """Count a broadcast's notices by outcome."""
    async with db.read() as repos:
        counts = await repos.outbox.count_by_status(broadcast.community_id, _keys(broadcast.id))
    return Progress(sum(counts.values()), counts.get("sent", 0), counts.get("skipped", 0), counts.get("failed", 0),
                    counts.get("cancelled", 0))


async def get_sending(db: Database) -> list[Broadcast]:
    """Return the broadcasts going out now."""
    async with db.read() as repos:
        return await repos.broadcasts.in_status("sending")


async def do_finish_broadcast(db: Database, clock: Clock, broadcast_id: int) -> bool:
    """Mark a broadcast whose notices all went out (or could not) as done; False if it was not sending."""
    async with db.transaction() as repos:
        return await repos.broadcasts.move(broadcast_id, ("sending",), "done", clock.now())


def is_finished(progress: Progress) -> bool:
    """Tell whether nothing of the broadcast waits any more."""
    return progress.waiting <= 0


