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
from bot.recommend.community import CommunityModel, Ranked, fit_community
from bot.services.levels import level_for
from storage.db import Database
from storage.models_engagement import DigestItem

log = logging.getLogger(__name__)

MAX_PER_TAG = 2  # at most this many picks share one tag
SIGNAL_WINDOW = dt.timedelta(days=30)  # opens and unlocks that make an item popular (the fallback ranking)
TOP = 5  # picks /recommend shows
CANDIDATES = 200  # best items ranked per member in a batch: enough to walk past a favourite tag's items
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


class Picker:
    """A community's published items indexed against its model once, to pick for many members (a digest run)."""

    def __init__(self, model: CommunityModel | None, items: Sequence[DigestItem]) -> None:
        self.model, self.items = model, list(items)
        self.by_id = {item.id: item for item in self.items}
        # Most signals first, each item's tags casefolded: the popularity walk reads both for every member.
        self._by_popularity = sorted(self.items, key=lambda i: (-i.signals, -i.id))
        self._folded_tags = {item.id: _folded(item) for item in self.items}
        self._ranked: dict[tuple[int, tuple[str, ...]], Ranked] = {}
        if model is not None:
            self.by_column = [self.by_id.get(int(item_id)) for item_id in model.item_ids]
            self.hidden = np.array([item is None for item in self.by_column], dtype=bool)  # unpublished since
            self._tag_sets: dict[int, frozenset[str]] = {}  # column → casefolded tags, as the walks reach them
            # Items published since the fit (higher ids) are not in the model: ranked after, by popularity.
            self.later = [item for item in self._by_popularity if item.id > model.catalog[1]]

    def prepare(self, members: Iterable[tuple[int, Iterable[str]]], count: int = CANDIDATES) -> None:
        """Rank these members' best items at once, in batches of matrix products."""
        if self.model is None:
            return
        keys = [(member_id, _interests(tags)) for member_id, tags in members]
        ranked = self.model.rank([m for m, _ in keys], [tags for _, tags in keys], count, self.hidden)
        self._ranked.update(zip(keys, ranked, strict=True))

    def picks(
        self, member_id: int, interests: Iterable[str], skip: set[int], k: int, reach: Reach | None = None,
    ) -> list[Pick]:
        """Return up to k of the items for the member, best first, each with its reason."""
        tags = _interests(interests)
        wanted = {tag.casefold(): tag for tag in tags}
        if self.model is None:
            return self._popular(self._by_popularity, wanted, member_id, skip, reach, k, Counter())
        ranked = self._ranked.get((member_id, tags))
        count = max(CANDIDATES, k * 4)
        while True:  # the ranking is walked until k picks pass the filters and diversity; more of it only if needed
            if ranked is None or (len(ranked.columns) < count and not ranked.complete):
                ranked = self.model.rank([member_id], [tags], count, self.hidden)[0]
            chosen: list[tuple[int, int]] = []
            per_tag: Counter[str] = Counter()
            for position, column in enumerate(ranked.columns.tolist()):
                item = self.by_column[column]
                if item is not None and _allowed(item, member_id, skip, reach) and _fits(self._tags(column), per_tag):
                    chosen.append((position, column))
                    if len(chosen) == k:
                        break
            if len(chosen) == k or ranked.complete:
                break
            count = len(ranked.columns) * 4
        picks = [self._explain(ranked, column, position, wanted) for position, column in chosen]
        return picks + self._popular(self.later, wanted, member_id, skip, reach, k - len(picks), per_tag)

    def _popular(
        self, ordered: Sequence[DigestItem], wanted: dict[str, str], member_id: int, skip: set[int],
        reach: Reach | None, k: int, per_tag: Counter[str],
    ) -> list[Pick]:
        """Up to k of these items (most signals first): those in the member's interests, then the rest,
        at most MAX_PER_TAG sharing a tag (counting those in per_tag), stopping as soon as k are found."""
        picks: list[Pick] = []
        for in_interests in (True, False):
            for item in ordered:
                if len(picks) >= k:
                    return picks
                folded = self._folded_tags.get(item.id) or _folded(item)
                if bool(folded & wanted.keys()) != in_interests or not _allowed(item, member_id, skip, reach):
                    continue
                if _fits(folded, per_tag):
                    tag = next((wanted[t.casefold()] for t in item.tags if t.casefold() in wanted), None)
                    picks.append(Pick(item, INTEREST, tag) if tag else Pick(item, POPULAR))
        return picks

    def _tags(self, column: int) -> frozenset[str]:
        found = self._tag_sets.get(column)
        if found is None:
            found = self._tag_sets[column] = _folded(self.by_column[column])
        return found

    def _explain(self, ranked: Ranked, column: int, position: int, wanted: dict[str, str]) -> Pick:
        item = self.by_column[column]
        tag = next((wanted[t.casefold()] for t in item.tags if t.casefold() in wanted), None)
        if ranked.collab[position] > 0 and ranked.collab[position] >= ranked.content[position]:
            source = self.model.because(ranked, column)
            if source is not None and source in self.by_id:
                return Pick(item, OPENED, tag, self.by_id[source].title)
        if tag is not None:
            return Pick(item, NEW if self.model.new[column] else INTEREST, tag)
        return Pick(item, POPULAR)


def recommend(
    model: CommunityModel | None, items: Sequence[DigestItem], member_id: int, interests: Iterable[str],
    skip: set[int], k: int, reach: Reach | None = None,
) -> list[Pick]:
    """Return up to k of these published items for one member, best first (a Picker for many members)."""
    return Picker(model, items).picks(member_id, interests, skip, k, reach)


def _interests(tags: Iterable[str]) -> tuple[str, ...]:
    """The member's tags, one per casefolded spelling (the last one wins, as in their lookup)."""
    return tuple({tag.casefold(): tag for tag in tags}.values())


def _allowed(item: DigestItem, member_id: int, skip: set[int], reach: Reach | None) -> bool:
    return item.creator_id != member_id and item.id not in skip and reachable(item, reach)


def _folded(item: DigestItem) -> frozenset[str]:
    return frozenset(tag.casefold() for tag in item.tags)


def _fits(tags: frozenset[str], per_tag: Counter[str]) -> bool:
    """Tell whether one more pick with these tags keeps within MAX_PER_TAG, and count it if so."""
    if any(per_tag[tag] >= MAX_PER_TAG for tag in tags):
        return False
    per_tag.update(tags)
    return True


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

