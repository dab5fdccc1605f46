"""Picks for one member (the one function digests and /recommend call), and the store of fitted models.

`recommend` ranks a community's published items with its fitted model (collaborative,
content and popularity parts; see bot/recommend) and keeps only what the member may be
shown: nothing they made, hold, already opened or rated, nothing they could never open,
at most two items of one tag. Each pick says why. Without a model yet (a community's
first minutes), it ranks what is opened and unlocked most, first within their interests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.clock import Clock
from bot.config import RecommendConfig
from bot.recommend.community import CommunityModel, fit_community
from bot.services.levels import level_for
from storage.db import Database
from storage.models_engagement import DigestItem

log = logging.getLogger(__name__)

MAX_PER_TAG = 2  # at most this many picks share one tag
SIGNAL_WINDOW = dt.timedelta(days=30)  # opens and unlocks that make an item popular (the fallback ranking)
TOP = 5  # picks /recommend shows
OPENED, NEW, INTEREST, POPULAR = "opened", "new", "interest", "popular"


@dataclass(frozen=True)
class Pick:
    """A recommended item and why: opened (because of `because`), new or interest (with `tag`), popular."""

    item: DigestItem
    reason: str
    tag: str | None = None
    because: str | None = None  # the title of the member's item that led here


@dataclass(frozen=True)
class Reach:
    """What decides whether a member could ever open an item: levels, their level, plans."""

    levels: int  # how many levels exist
    level: int  # the member's level now
    member: bool  # their paid membership runs
    plans: bool  # the community sells a membership plan


def reachable(item: DigestItem, reach: Reach | None) -> bool:
    """Tell whether the member can open the item now or some day (buy, unlock, level up, subscribe)."""
    if reach is None or item.price_stars or item.price_points:
        return True
    if not (item.min_level or item.members_only):
        return True  # free
    if item.min_level and item.min_level <= max(reach.level, reach.levels):
        return True
    return bool(item.members_only and (reach.member or reach.plans))


def recommend(
    model: CommunityModel | None, items: Sequence[DigestItem], member_id: int, interests: Iterable[str],
    skip: set[int], k: int, reach: Reach | None = None,
) -> list[Pick]:
    """Return up to k of these published items for the member, best first, each with its reason."""
    wanted = {tag.casefold(): tag for tag in interests}
    if model is None:
        allowed = [i for i in items if _allowed(i, member_id, skip, reach)]
        return _diverse(_popular(allowed, wanted), k)
    scores = model.score(member_id, list(wanted.values()))
    seen = {int(model.item_ids[c]) for c in scores.row.indices}
    by_id = {i.id: i for i in items}
    titles = {item_id: item.title for item_id, item in by_id.items()}
    # Items published since the fit (higher ids) are not in the model: ranked after, by popularity.
    newest = model.catalog[1]
    later = [i for i in items if i.id > newest and _allowed(i, member_id, skip, reach)] if by_id and max(
        by_id) > newest else []
    total = scores.total.copy()
    total[scores.row.indices] = -np.inf
    count = k * 4
    while True:  # a few dozen candidates are checked and explained; more only when too few pass
        columns = np.argpartition(-total, min(count, len(total)) - 1)[:count] if count < len(total) else np.arange(
            len(total))
        columns = columns[np.argsort(-total[columns], kind="stable")]
        ranked = []
        for column in columns:
            item = by_id.get(int(model.item_ids[column]))
            if item is not None and item.id not in seen and _allowed(item, member_id, skip, reach):
                ranked.append(_explain(model, scores, item, wanted, titles))
        picks = _diverse(ranked + _popular(later, wanted), k)
        if len(picks) == k or count >= len(total):
            return picks
        count *= 4


def _allowed(item: DigestItem, member_id: int, skip: set[int], reach: Reach | None) -> bool:
    return item.creator_id != member_id and item.id not in skip and reachable(item, reach)


def _explain(model: CommunityModel, scores, item: DigestItem, wanted: dict[str, str], titles) -> Pick:
    column = model.columns[item.id]
    tag = next((wanted[t.casefold()] for t in item.tags if t.casefold() in wanted), None)
    collab, content = scores.collab[column], scores.content[column]
    if collab > 0 and collab >= content:
        source = model.because(scores, column)
        if source is not None and source in titles:
            return Pick(item, OPENED, tag, titles[source])
    if tag is not None:
        return Pick(item, NEW if model.signals[column] == 0 else INTEREST, tag)
    return Pick(item, POPULAR)


def _popular(items: Sequence[DigestItem], wanted: dict[str, str]) -> list[Pick]:
    """Most signals first, those in the member's interests before the rest."""
    def tag_of(item: DigestItem) -> str | None:
        return next((wanted[t.casefold()] for t in item.tags if t.casefold() in wanted), None)

    ordered = sorted(items, key=lambda i: (tag_of(i) is None, -i.signals, -i.id))
    return [Pick(i, INTEREST, tag) if (tag := tag_of(i)) else Pick(i, POPULAR) for i in ordered]


def _diverse(ranked: Sequence[Pick], k: int) -> list[Pick]:
    """Keep the order but at most MAX_PER_TAG picks sharing a tag."""
    picks: list[Pick] = []
    per_tag: Counter[str] = Counter()
    for pick in ranked:
        if len(picks) == k:
            break
        tags = {tag.casefold() for tag in pick.item.tags}
        if any(per_tag[tag] >= MAX_PER_TAG for tag in tags):
            continue
        per_tag.update(tags)
        picks.append(pick)
    return picks


class Recommender:
    """Each community's fitted model, in memory; a failed fit keeps the last good one serving."""

    def __init__(self, db: Database, clock: Clock, config: RecommendConfig) -> None:
        self._db, self._clock, self._config = db, clock, config
        self._models: dict[int, CommunityModel] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    def model(self, community_id: int) -> CommunityModel | None:
        """Return the community's current model (None before its first fit)."""
        return self._models.get(community_id)

    async def refit(self, community_id: int) -> CommunityModel | None:
        """Fit the community's model now; on failure log it and keep serving the last good one."""
        async with self._locks.setdefault(community_id, asyncio.Lock()):
            try:
                async with self._db.read() as repos:
                    data = await repos.recommend.community_signals(community_id)
                    count = await repos.recommend.signal_count(community_id)
                if not data.items:
                    return self._models.get(community_id)
                model = await asyncio.to_thread(fit_community, community_id, data, self._clock.now(), count)
            except Exception:
                log.exception("recommendation fit for community %s failed; the last good model keeps serving",
                              community_id)
                return self._models.get(community_id)
            self._models[community_id] = model
            log.info("recommendations of community %s fitted: %s signals, %s items, %s", community_id, count,
                     len(model.item_ids), model.blend.collab if model.tuned else "default blend")
            return model

    async def fresh(self, community_id: int) -> CommunityModel | None:
        """Return the community's model after refitting it if that is due (what a digest run uses)."""
        await self.refit_if_due(community_id)
        return self._models.get(community_id)

    async def refit_if_due(self, community_id: int) -> bool:
        """Refit when there is no model, the signals grew by refit_growth, or the catalog changed."""
        model = self._models.get(community_id)
        async with self._db.read() as repos:
            count = await repos.recommend.signal_count(community_id)
            catalog = await repos.recommend.catalog_version(community_id)
        if model is not None and catalog == model.catalog and count < model.signal_count * (
                1 + self._config.refit_growth) + (1 if model.signal_count == 0 else 0):
            return False
        if model is None and catalog[0] == 0:
            return False
        return await self.refit(community_id) is not model


async def get_recommendations(
    db: Database, recommender: Recommender, levels: Sequence[int], community_id: int, user_id: int, now: dt.datetime,
    k: int = TOP,
) -> list[Pick]:
    """Return the member's top k picks in a community now (what /recommend shows)."""
    model = await recommender.fresh(community_id)
    async with db.read() as repos:
        items = await repos.digests.items(community_id, now - SIGNAL_WINDOW)
        held = {e.item_id for e in await repos.entitlements.active_for(user_id) if e.community_id == community_id}
        state = await repos.onboarding.get(community_id, user_id)
        member = await repos.points.member(community_id, user_id)
        membership = await repos.plans.membership(community_id, user_id)
        plans = bool(await repos.plans.active(community_id))
    reach = Reach(len(levels), level_for(member.score if member else 0, levels),
                  membership is not None and membership.expires_at > now, plans)
    return recommend(model, items, user_id, state.tags if state else (), held, k, reach)

