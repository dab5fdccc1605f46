"""Received updates: each update_id is handled by one worker, once; a dead worker's update is handled again.

Times here are the wall clock (a lease is about processes that die), never a test's controlled clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from storage.db import Database
from storage.repos.updates import ClaimResult

# Telegram drops an update it could not deliver within a day, so no redelivery comes later than this.
KEEP = dt.timedelta(hours=25)


def wall_now() -> dt.datetime:
    """Return the current UTC time."""
    return dt.datetime.now(dt.UTC)


async def do_claim_update(db: Database, update_id: int, worker: str, lease: dt.timedelta) -> ClaimResult:
    """Record the update as being handled by worker (unless it is done or a live worker has it)."""
    now = wall_now()
    async with db.transaction() as repos:
        return await repos.received_updates.claim(update_id, worker, now, now + lease)


async def do_renew_claims(db: Database, update_ids: Collection[int], worker: str, lease: dt.timedelta) -> int:
    """Extend the leases of the updates worker is still handling."""
    async with db.transaction() as repos:
        return await repos.received_updates.renew(update_ids, worker, wall_now() + lease)


async def do_finish_update(db: Database, update_id: int, worker: str) -> bool:
    """Mark the update handled: redeliveries of it are answered without handling it again."""
    async with db.transaction() as repos:
        return await repos.received_updates.finish(update_id, worker, wall_now())


async def do_release_update(db: Database, update_id: int, worker: str) -> bool:
    """Give up an update worker did not handle (it stops): Telegram's redelivery is handled anew."""
    async with db.transaction() as repos:
        return await repos.received_updates.release(update_id, worker)


async def do_prune_updates(db: Database) -> int:
    """Delete the records of updates received long enough ago that Telegram cannot redeliver them."""
    async with db.transaction() as repos:
        return await repos.received_updates.prune(wall_now() - KEEP)


async def get_update_status(db: Database, update_id: int) -> str | None:
    """Return 'claimed', 'done' or None (never received) for an update."""
    async with db.read() as repos:
        return await repos.received_updates.status(update_id)
