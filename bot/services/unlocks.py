"""Unlocking content with points: one transaction that never leaves a negative balance."""

from __future__ import annotations

from collections.abc import Sequence

from bot.clock import Clock
from bot.errors import DomainError
from bot.services.communities import UserInfo
from bot.services.communities import ensure_user
from bot.services.content import require_buyable
from bot.services.points import Grant, spend_points
from bot.services.points_rules import Scoring
from storage.db import Database
from storage.models_content import Entitlement


async def do_buy_with_points(
    db: Database, clock: Clock, scoring: Scoring, levels: Sequence[int], item_id: int, user: UserInfo
) -> Entitlement:
    """Spend the item's points price and grant it; InsufficientPoints rolls everything back.

    The spend holds the community's points lock (PostgreSQL; SQLite's write lock does the
    same), so of two purchases the second sees the balance the first left; the entitlement's
    unique key makes a second purchase of the same item a "you own it".
    """
    now = clock.now()
    async for attempt in db.retrying():
        async with attempt as repos:
            item = await require_buyable(repos, item_id, user.id, now, levels)
            if not item.price_points:
                raise DomainError("buy.not_for_points")
            await ensure_user(repos, user, now)
            entitlement = await repos.entitlements.grant(
                item.community_id, item.id, user.id, "points", now, points_spent=item.price_points
            )
            if entitlement is None:
                raise DomainError("buy.owned")
            grant = Grant(
                item.community_id, user.id, -item.price_points, "unlock", f"unlock:{entitlement.id}",
                ref=f"item:{item.id}",
            )
            spent = await spend_points(repos, scoring, grant, now)
            if not spent.applied:
                raise RuntimeError(f"points for entitlement {entitlement.id} were not spent")
    return entitlement
