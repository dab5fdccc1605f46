"""Admins adjusting points: /award and /deduct, each a ledger row and an audit row."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.errors import InsufficientPoints, NotFound, Usage
from bot.services.communities import UserInfo
from bot.services.points import Award, open_batch
from bot.services.points_rules import Scoring
from storage.db import Database


@dataclass(frozen=True)
class Adjustment:
    """An admin's /award or /deduct: who acts on whom, by how much (negative deducts), the note and the key."""

    community_id: int
    actor_id: int
    target: int | UserInfo
    amount: int
    note: str
    key: str


async def get_member_id(db: Database, community_id: int, username: str) -> int:
    """Return the id of the community member with this @username, or raise NotFound."""
    async with db.read() as repos:
        user_id = await repos.points.find_member(community_id, username)
    if user_id is None:
        raise NotFound("points.user_unknown")
    return user_id


async def do_adjust_points(db: Database, scoring: Scoring, clock: Clock, adjustment: Adjustment) -> Award:
    """Let an admin award (amount > 0) or deduct (< 0) points, with an audit row; once per key.

    A target given as UserInfo (a replied-to member) is stored first if the bot never saw them.
    """
    community_id, actor_id = adjustment.community_id, adjustment.actor_id
    target, amount, key = adjustment.target, adjustment.amount, adjustment.key
    if amount == 0:
        raise ValueError("amount must not be 0")
    target_id = target.id if isinstance(target, UserInfo) else target
    if target_id == actor_id:
        raise Usage("points.adjust_self")
    if isinstance(target, UserInfo) and target.is_bot:
        raise Usage("points.bots_earn_nothing")
    now = clock.now()
    async for attempt in db.retrying():
        async with attempt as repos:
            if isinstance(target, UserInfo) and await repos.users.get(target_id) is None:
                await repos.users.upsert(
                    target.id, target.first_name, target.last_name, target.username, target.language_code, False, now
                )
            stored = await repos.users.get(target_id)
            if stored is None:
                raise NotFound("points.user_unknown")
            if stored.is_bot:
                raise Usage("points.bots_earn_nothing")
            batch, scope = await open_batch(repos, scoring, community_id, target_id, [key], now)
            if scope is None:
                raise NotFound()
            reason = "admin_award" if amount > 0 else "admin_deduct"
            try:
                award = batch.apply(
                    scope, target_id, amount, reason, key, ref=adjustment.note[:128],
                    min_balance=0 if amount < 0 else None,
                )
            except InsufficientPoints as short:
                balance = short.params.get("balance", 0)
                raise InsufficientPoints("deduct.beyond_balance", balance=balance, count=balance) from None
            await batch.flush()
            if award.applied:
                details = {"amount": amount, "reason": adjustment.note, "key": key}
                await repos.audit.add(community_id, actor_id, f"points.{reason}", target_id, details, now)
    return award
