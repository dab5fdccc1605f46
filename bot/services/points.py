"""Points (SPEC §3): every change is a ledger row with an idempotency key, plus running totals.

Writes go through a PointsBatch, a unit of work: it loads what the rules need in a few
bulk queries, applies the rules in memory and writes everything with a handful of
multi-row statements, so a batch of a hundred awards costs about what one does.

Two layers for other features: `award_points`/`spend_points` (and the hooks in
bot.services.earning) run inside the caller's transaction; `do_*` open their own.
Announcements (level-ups, badges) are outbox notices queued in the same transaction;
they go out when it commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.config import PointsConfig
from bot.errors import InsufficientPoints
from bot.services.levels import level_for
from bot.services.notices import queue_notice
from bot.services.points_rules import Scoring, local_day
from storage.db import Conflict, Database
from storage.repos import Repos
from storage.repos.points import ALL_TIME, MemberPoints

# Windowed leaderboards, in days; all time is the members' score itself.
WINDOWS = (7, 30)
# Reactions to messages older than this many days earn nothing (their authors are forgotten).
AUTHOR_DAYS = 30
# A busy batch announces its level-ups in one message per group, naming at most this many.
ANNOUNCE_NAMES = 10


class LedgerConflict(Conflict):
    """A key checked as unused was inserted concurrently (impossible under the community's points lock)."""


@dataclass(frozen=True)
class Scope:
    """A community as one write sees it: its rules and local day."""

    community_id: int
    day: int
    windows_day: int
    rules: PointsConfig


@dataclass(frozen=True)
class Grant:
    """One change of a member's points: who, how much, why, and the key that makes it happen once."""

    community_id: int
    user_id: int
    delta: int
    reason: str
    key: str
    ref: str | None = None
    scored: bool = True


@dataclass(frozen=True)
class Award:
    """The outcome of one award: applied is False when its key was used before (or a rule said no)."""

    applied: bool
    delta: int
    score: int
    balance: int
    level: int
    level_up: int | None = None

    @classmethod
    def nothing(cls, member: MemberPoints | None = None) -> Award:
        """Return the outcome of an award that changed nothing."""
        if member is None:
            return cls(False, 0, 0, 0, 1)
        return cls(False, 0, member.score, member.balance, member.level)


async def roll_windows(repos: Repos, community_id: int, windows_day: int | None, today: int) -> int:
    """Move the windowed totals forward to today (days that left a window are subtracted)."""
    if windows_day is not None and today <= windows_day:
        return windows_day
    if windows_day is not None:
        for period in WINDOWS:
            if today - windows_day >= period:
                await repos.points.clear_window(community_id, period)
            else:
                await repos.points.roll_window(community_id, period, windows_day - period + 1, today - period)
            await repos.points.rebuild_histogram(community_id, period)
        await repos.points.rebuild_histogram(community_id, ALL_TIME)  # drops values nobody holds any more
        await repos.points.forget_authors_before(community_id, today - AUTHOR_DAYS)
    await repos.points.set_windows_day(community_id, today)
    return today


class PointsBatch:
    """A unit of work over the points tables inside one write transaction."""

    def __init__(self, repos: Repos, scoring: Scoring, now: dt.datetime) -> None:
        self.repos = repos
        self.scoring = scoring
        self.now = now
        self._scopes: dict[int, Scope | None] = {}
        self._members: dict[tuple[int, int], MemberPoints] = {}
        self._stored_scores: dict[tuple[int, int], int] = {}
        self._dirty: set[tuple[int, int]] = set()
        self._checked: dict[int, set[str]] = defaultdict(set)
        self._used: dict[int, set[str]] = defaultdict(set)
        self._ledger: list[tuple[Any, ...]] = []
        # Windowed totals of loaded members: as stored, and with this batch's changes.
        self._stored_windows: dict[tuple[int, int, int], int] = {}
        self._windows: dict[tuple[int, int, int], int] = {}
        self._days: dict[tuple[int, int, int], int] = defaultdict(int)
        self._authors: dict[tuple[int, int], tuple[int, int]] = {}
        self._level_ups: list[tuple[Scope, int, int]] = []

    async def load(
        self, members: Iterable[tuple[int, int]] = (), keys: Iterable[tuple[int, str]] = ()
    ) -> None:
        """Load communities (rolling their windows), members and idempotency keys in bulk."""
        members, keys = list(members), list(keys)
        await self.load_communities({c for c, _ in members} | {c for c, _ in keys})
        wanted: dict[int, set[int]] = defaultdict(set)
        for c, u in members:
            if (c, u) not in self._members:
                wanted[c].add(u)
        if wanted:
            found = await self.repos.points.members(wanted)
            totals = await self.repos.points.window_totals(wanted, WINDOWS)
            for c, users in wanted.items():
                for u in users:
                    member = found.get((c, u)) or MemberPoints(c, u)
                    self._members[(c, u)] = member
                    self._stored_scores[(c, u)] = member.score
                    for p in WINDOWS:
                        self._stored_windows[(c, p, u)] = self._windows[(c, p, u)] = totals.get((c, p, u), 0)
        unchecked: dict[int, set[str]] = defaultdict(set)
        for c, key in keys:
            if key not in self._checked[c]:
                unchecked[c].add(key)
        if unchecked:
            for c, key in await self.repos.points.used_keys(unchecked):
                self._used[c].add(key)
            for c, batch in unchecked.items():
                self._checked[c] |= batch

    async def load_communities(self, community_ids: set[int]) -> None:
        """Load communities not loaded yet, rolling their windows to their current local day."""
        community_ids = community_ids - self._scopes.keys()
        if not community_ids:
            return
        found = await self.repos.points.communities(community_ids)
        days = {c: local_day(self.now, row.timezone) for c, row in found.items()}
        locked = await self.repos.points.lock_communities(days)  # PostgreSQL: the windows' day read under the lock
        for c in sorted(community_ids):
            row = found.get(c)
            if row is None:
                self._scopes[c] = None
                continue
            day = days[c]
            windows_day = await roll_windows(self.repos, c, locked.get(c, row.windows_day), day)
            rules = await self.scoring.rules(self.repos, c)
            self._scopes[c] = Scope(c, day, windows_day, rules)

    def scope(self, community_id: int) -> Scope | None:
        """Return a loaded community's scope (None: not registered)."""
        return self._scopes[community_id]

    def member(self, community_id: int, user_id: int) -> MemberPoints:
        """Return a loaded member's current totals, including this batch's changes."""
        return self._members[(community_id, user_id)]

    def update(self, member: MemberPoints, **changes: Any) -> MemberPoints:
        """Change a loaded member's counters without a ledger row (e.g. reactions given)."""
        member = member._replace(**changes)
        self._members[(member.community_id, member.user_id)] = member
        self._dirty.add((member.community_id, member.user_id))
        return member

    def key_used(self, community_id: int, key: str) -> bool:
        """Tell whether an idempotency key was used (it must have been loaded)."""
        if key not in self._checked[community_id]:
            raise RuntimeError(f"idempotency key {key!r} was not loaded")
        return key in self._used[community_id]

    def remember_author(self, community_id: int, message_id: int, user_id: int, day: int) -> None:
        """Record who wrote a group message."""
        self._authors[(community_id, message_id)] = (user_id, day)

    def pending_author(self, community_id: int, message_id: int) -> int | None:
        """Return the author of a message recorded earlier in this batch."""
        found = self._authors.get((community_id, message_id))
        return found[0] if found else None

    def apply(
        self,
        scope: Scope,
        user_id: int,
        delta: int,
        reason: str,
        key: str,
        *,
        ref: str | None = None,
        scored: bool = True,
        min_balance: int | None = None,
        **changes: Any,
    ) -> Award:
        """Apply one award in memory; `changes` (counters) stick only when its key is new.

        With min_balance, an award that would leave less raises InsufficientPoints (the
        transaction rolls back); a replayed key changes nothing and raises nothing.
        """
        c = scope.community_id
        member = self.member(c, user_id)
        if self.key_used(c, key):
            return Award.nothing(member)
        if min_balance is not None and member.balance + delta < min_balance:
            raise InsufficientPoints(needed=abs(delta), balance=member.balance)
        self._used[c].add(key)
        self._ledger.append((c, user_id, delta, scored, reason, ref, key, scope.day, self.now))
        score = member.score + (delta if scored else 0)
        level = level_for(score, scope.rules.levels)
        level_up = level if level > member.level else None
        member = self.update(
            member, score=score, balance=member.balance + delta, level=max(level, member.level), **changes
        )
        if scored and delta:
            self._days[(c, scope.day, user_id)] += delta
            for period in WINDOWS:
                # A bucket older than the windows' day (clock or timezone change) joins only windows it is in.
                if scope.day > scope.windows_day - period:
                    self._windows[(c, period, user_id)] += delta
        if level_up is not None and scope.rules.announce_levels:
            self._level_ups.append((scope, user_id, level_up))
        return Award(True, delta, member.score, member.balance, member.level, level_up)

    async def flush(self) -> None:
        """Write everything applied so far and queue the level-up announcements."""
        points = self.repos.points
        # The keys were checked under the write lock (PostgreSQL: the community's points lock), so
        # a key taken meanwhile is a bug.
        if await points.add_ledger_rows(self._ledger) != len(self._ledger):
            raise LedgerConflict("an idempotency key was used concurrently")
        await points.remember_authors([(c, m, u, day) for (c, m), (u, day) in self._authors.items()])
        await self.repos.activity.add_messages(_member_days(self._authors))
        await points.save_members([self._members[k] for k in sorted(self._dirty)], self.now)
        moves: dict[tuple[int, int, int], int] = defaultdict(int)
        for key in self._dirty:
            before, after = self._stored_scores[key], self._members[key].score
            _move(moves, key[0], ALL_TIME, before, after)
            self._stored_scores[key] = after
        changed = [(k, total) for k, total in self._windows.items() if total != self._stored_windows[k]]
        await points.set_windows([(c, p, u, total) for (c, p, u), total in changed])
        for (c, p, u), total in changed:
            _move(moves, c, p, self._stored_windows[(c, p, u)], total)
            self._stored_windows[(c, p, u)] = total
        await points.add_to_histogram([(c, p, v, n) for (c, p, v), n in sorted(moves.items()) if n])
        await points.add_to_days([(c, day, u, d) for (c, day, u), d in self._days.items() if d])
        await _announce_levels(self.repos, self._level_ups, self.now)
        self._ledger, self._authors, self._dirty, self._level_ups = [], {}, set(), []
        self._days.clear()


def _member_days(authors: dict[tuple[int, int], tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Count the batch's messages per (community, day, author): the activity /stats reads."""
    counts: dict[tuple[int, int, int], int] = defaultdict(int)
    for (community_id, _), (user_id, day) in authors.items():
        counts[(community_id, day, user_id)] += 1
    return [(c, day, u, n) for (c, day, u), n in sorted(counts.items())]


def _move(moves: dict[tuple[int, int, int], int], community_id: int, period: int, before: int, after: int) -> None:
    """Count a member's move from one points value to another in the histogram (positive values only)."""
    if before == after:
        return
    if before > 0:
        moves[(community_id, period, before)] -= 1
    if after > 0:
        moves[(community_id, period, after)] += 1


async def _announce_levels(repos: Repos, level_ups: list[tuple[Scope, int, int]], now: dt.datetime) -> None:
    """Queue one announcement per community listing who reached which level (at most ANNOUNCE_NAMES)."""
    if not level_ups:
        return
    users = await repos.users.get_many({user_id for _, user_id, _ in level_ups})
    by_community: dict[int, list[tuple[Scope, int, int]]] = defaultdict(list)
    for item in level_ups:
        by_community[item[0].community_id].append(item)
    for community_id, items in by_community.items():
        ups = [
            [user_id, users[user_id].full_name if user_id in users else str(user_id), level]
            for _, user_id, level in items[:ANNOUNCE_NAMES]
        ]
        pairs = ",".join(f"{user_id}:{level}" for _, user_id, level in items)
        key = f"levelup:{community_id}:{pairs}" if len(items) == 1 else (
            f"levelups:{community_id}:{hashlib.sha256(pairs.encode()).hexdigest()[:32]}"
        )
        await queue_notice(
            repos, key, community_id, "points/level_ups", now, ups=ups, more=max(0, len(items) - ANNOUNCE_NAMES)
        )


async def open_batch(
    repos: Repos, scoring: Scoring, community_id: int, user_id: int, keys: Iterable[str], now: dt.datetime
) -> tuple[PointsBatch, Scope | None]:
    """Start a batch for one member's awards with the given keys loaded."""
    batch = PointsBatch(repos, scoring, now)
    await batch.load([(community_id, user_id)], [(community_id, k) for k in keys])
    return batch, batch.scope(community_id)


async def award_points(repos: Repos, scoring: Scoring, grant: Grant, now: dt.datetime) -> Award:
    """Award (or, negative, take) points inside the caller's transaction; once per key.

    The user row must exist. `scored=False` moves only the spendable balance (purchases,
    bounty holds and returns), not the score that levels and leaderboards use. A negative
    delta never takes the balance below 0: it raises InsufficientPoints instead.
    """
    batch, scope = await open_batch(repos, scoring, grant.community_id, grant.user_id, [grant.key], now)
    if scope is None:
        return Award.nothing()
    award = batch.apply(
        scope, grant.user_id, grant.delta, grant.reason, grant.key, ref=grant.ref, scored=grant.scored,
        min_balance=0 if grant.delta < 0 else None,
    )
    await batch.flush()
    return award


async def spend_points(repos: Repos, scoring: Scoring, grant: Grant, now: dt.datetime) -> Award:
    """Take points from the balance inside the caller's transaction; never below 0.

    The grant's delta is what is taken, so it is negative (ValueError otherwise). Spending
    never moves the score, whatever the grant's `scored` says.
    """
    if grant.delta >= 0:
        raise ValueError("a spend's delta must be negative")
    batch, scope = await open_batch(repos, scoring, grant.community_id, grant.user_id, [grant.key], now)
    if scope is None:
        return Award.nothing()
    award = batch.apply(
        scope, grant.user_id, grant.delta, grant.reason, grant.key, ref=grant.ref, scored=False, min_balance=0
    )
    await batch.flush()
    return award


async def do_award_points(db: Database, scoring: Scoring, clock: Clock, grant: Grant) -> Award:
    """Award points in a transaction of its own; see award_points."""
    async for attempt in db.retrying():
        async with attempt as repos:
            award = await award_points(repos, scoring, grant, clock.now())
    return award
