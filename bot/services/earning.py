"""How points are earned (SPEC §3 defaults): messages, reactions, check-ins, Q&A, onboarding, purchases.

`do_*` functions serve this feature's handlers, one transaction each (messages and
reactions arrive in batches through bot.services.points_writer). `award_*` functions are
the hooks for other features and run inside the caller's transaction; the user rows they
name must exist. Badges and level-ups they cause are queued as notices in the same
transaction and go out when it commits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.clock import Clock
from bot.services.badges import (
    CURIOUS,
    HELPER,
    MENTOR,
    MENTOR_ANSWERS,
    NEWCOMER,
    ON_FIRE,
    ON_FIRE_STREAK,
    SUPPORTER,
    award_badge,
)
from bot.services.communities import UserInfo
from bot.services.known_members import KnownMembers, Profile, profile_of, stored_after, up_to_date
from bot.services.points import Award, Grant, PointsBatch, award_points, open_batch
from bot.services.points_rules import Scoring
from storage.db import Database
from storage.repos import Repos

# Telegram sends ❤ without the emoji variation selector; compare without it.
_VS16 = "\ufe0f"


@dataclass(frozen=True)
class MessageSeen:
    """A member's group message: its author is remembered, and it may earn points."""

    community_id: int
    user: UserInfo
    message_id: int
    length: int
    earns: bool = True

    @property
    def key(self) -> str:
        return f"msg:{self.community_id}:{self.message_id}"


@dataclass(frozen=True)
class ReactionSeen:
    """A member changed their reaction to a group message."""

    community_id: int
    user: UserInfo
    message_id: int
    old: tuple[str, ...]
    new: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"react:{self.community_id}:{self.message_id}:{self.user.id}"


Seen = MessageSeen | ReactionSeen


@dataclass(frozen=True)
class Checkin:
    """The outcome of /checkin: done is False when the member already checked in today."""

    done: bool
    streak: int
    points: int
    award: Award | None = None


Stored = list[tuple[int, int, Profile]]


async def _ensure_users(
    repos: Repos, known: KnownMembers, people: Sequence[tuple[int, UserInfo]], now: dt.datetime
) -> Stored:
    """Store the users and memberships that are missing or changed (a new name); return what is stored.

    Members this process already stored as they are now cost nothing; the others cost one
    read, and a write only when something about them changed.
    """
    unsure = {(c, u.id): (c, u) for c, u in people if not known.current(c, u)}
    if not unsure:
        return []
    # In id order, so two writers storing the same people lock their rows in the same order.
    users = {u.id: u for _, u in sorted(unsure.values(), key=lambda item: item[1].id)}
    rows = await repos.users.get_many(users)
    profiles: dict[int, Profile] = {}
    for user in users.values():
        row = rows.get(user.id)
        stored = Profile(row.first_name, row.last_name, row.username, row.language_code) if row else None
        seen = profile_of(user)
        if row is None or row.is_bot or not up_to_date(stored, seen):
            await repos.users.upsert(user.id, user.first_name, user.last_name, user.username, user.language_code,
                                     False, now)
        profiles[user.id] = stored_after(stored, seen)
    by_community: dict[int, set[int]] = defaultdict(set)
    for c, user_id in unsure:
        by_community[c].add(user_id)
    existing = await repos.memberships.existing(by_community)
    for c, user_id in sorted(unsure.keys() - existing):
        await repos.memberships.upsert(c, user_id, "member", False, now)
    return [(c, user_id, profiles[user_id]) for c, user_id in unsure]


async def do_record_events(db: Database, scoring: Scoring, clock: Clock, events: Sequence[Seen]) -> list[Award | None]:
    """Record group messages and reactions in one transaction; return each one's award (None: none)."""
    now = clock.now()
    generation = scoring.known.generation
    async for attempt in db.retrying():
        async with attempt as repos:
            results, stored = await record_events(repos, scoring, events, now)
    scoring.known.learn(stored, generation)
    return results


async def record_events(
    repos: Repos, scoring: Scoring, events: Sequence[Seen], now: dt.datetime
) -> tuple[list[Award | None], Stored]:
    """Apply the message and reaction rules to events in order, inside the caller's transaction.

    Return each event's award and the members now stored (for KnownMembers.learn after the commit).
    """
    batch = PointsBatch(repos, scoring, now)
    await batch.load_communities({e.community_id for e in events})
    active = [e for e in events if batch.scope(e.community_id) is not None and not e.user.is_bot]
    stored = await _ensure_users(repos, scoring.known, [(e.community_id, e.user) for e in active], now)
    reacted: dict[int, set[int]] = defaultdict(set)
    for event in active:
        if isinstance(event, ReactionSeen):
            reacted[event.community_id].add(event.message_id)
    authors = {c: await repos.points.authors(c, ids) for c, ids in reacted.items()}
    members = [(e.community_id, e.user.id) for e in active]
    members += [(c, author) for c, found in authors.items() for author in found.values()]
    await batch.load(members, [(e.community_id, e.key) for e in active])
    results: dict[int, Award | None] = {}
    for event in active:
        if isinstance(event, MessageSeen):
            results[id(event)] = _message(batch, event, now)
        else:
            author = batch.pending_author(event.community_id, event.message_id)
            if author is None:
                author = authors[event.community_id].get(event.message_id)
            results[id(event)] = await _reaction(batch, event, author)
    await batch.flush()
    return [results.get(id(e)) for e in events], stored


def _message(batch: PointsBatch, event: MessageSeen, now: dt.datetime) -> Award | None:
    scope = batch.scope(event.community_id)
    assert scope is not None
    user_id = event.user.id
    batch.remember_author(scope.community_id, event.message_id, user_id, scope.day)
    rules = scope.rules
    if not event.earns or not rules.message or event.length < rules.message_min_chars:
        return None
    member = batch.member(scope.community_id, user_id)
    if member.last_message_at is not None and (now - member.last_message_at).total_seconds() < rules.message_cooldown:
        return None
    sent = member.message_count if member.message_day == scope.day else 0
    if sent >= rules.message_daily_cap:
        return None
    return batch.apply(
        scope, user_id, rules.message, "message", event.key, ref=str(event.message_id),
        last_message_at=now, message_day=scope.day, message_count=sent + 1,
    )


def _counted(emojis: Sequence[str], allowed: Sequence[str]) -> set[str]:
    wanted = {e.replace(_VS16, "") for e in allowed}
    return {e.replace(_VS16, "") for e in emojis} & wanted


async def _reaction(batch: PointsBatch, event: ReactionSeen, author_id: int | None) -> Award | None:
    scope = batch.scope(event.community_id)
    assert scope is not None
    rules = scope.rules
    if author_id is None or author_id == event.user.id or not rules.reaction:
        return None
    if not _counted(event.new, rules.reaction_emojis) - _counted(event.old, rules.reaction_emojis):
        return None
    giver = batch.member(scope.community_id, event.user.id)
    given = giver.given_count if giver.given_day == scope.day else 0
    if given >= rules.reaction_daily_cap:
        return None
    await batch.load([(scope.community_id, author_id)])  # a no-op unless the author was new to this batch
    award = batch.apply(scope, author_id, rules.reaction, "reaction", event.key, ref=str(event.message_id))
    if award.applied:
        batch.update(batch.member(scope.community_id, event.user.id), given_day=scope.day, given_count=given + 1)
    return award


async def do_checkin(db: Database, scoring: Scoring, clock: Clock, community_id: int, user: UserInfo) -> Checkin:
    """Check a member in for the community's local day: +checkin, plus the streak bonus."""
    now = clock.now()
    generation = scoring.known.generation
    async for attempt in db.retrying():
        async with attempt as repos:
            batch = PointsBatch(repos, scoring, now)
            await batch.load_communities({community_id})  # PostgreSQL: holds the community's points lock
            scope = batch.scope(community_id)
            if scope is None or user.is_bot:
                return Checkin(False, 0, 0)
            stored = await _ensure_users(repos, scoring.known, [(community_id, user)], now)
            key = f"checkin:{user.id}:{scope.day}"
            await batch.load([(community_id, user.id)], [(community_id, key)])
            member = batch.member(community_id, user.id)
            if member.checkin_day == scope.day:
                return Checkin(False, member.streak, 0)
            rules = scope.rules
            streak = member.streak + 1 if member.checkin_day == scope.day - 1 else 1
            points = rules.checkin + min((streak - 1) * rules.checkin_streak_bonus, rules.checkin_streak_max_bonus)
            award = batch.apply(scope, user.id, points, "checkin", key, streak=streak,
                                best_streak=max(streak, member.best_streak), checkin_day=scope.day)
            await batch.flush()
            if award.applied and streak >= ON_FIRE_STREAK:
                await award_badge(repos, community_id, user.id, ON_FIRE, now)
    scoring.known.learn(stored, generation)
    return Checkin(award.applied, streak, points if award.applied else 0, award)


async def award_question(
    repos: Repos, scoring: Scoring, community_id: int, asker_id: int, question_ref: str, now: dt.datetime
) -> Award:
    """Award asking a question (within the daily cap) and the Curious badge for the first one."""
    key = f"question:{question_ref}"
    batch, scope = await open_batch(repos, scoring, community_id, asker_id, [key], now)
    if scope is None:
        return Award.nothing()
    member = batch.member(community_id, asker_id)
    asked = member.question_count if member.question_day == scope.day else 0
    award = Award.nothing(member)
    if scope.rules.question and asked < scope.rules.question_daily_cap:
        award = batch.apply(scope, asker_id, scope.rules.question, "question", key, ref=question_ref,
                            question_day=scope.day, question_count=asked + 1)
        await batch.flush()
    await award_badge(repos, community_id, asker_id, CURIOUS, now)
    return award


async def award_answer(
    repos: Repos, scoring: Scoring, community_id: int, answerer_id: int, asker_id: int, answer_ref: str,
    now: dt.datetime,
) -> Award | None:
    """Award posting an answer; answering one's own question earns nothing (None)."""
    if answerer_id == asker_id:
        return None
    rules = await scoring.rules(repos, community_id)
    grant = Grant(community_id, answerer_id, rules.answer, "answer", f"answer:{answer_ref}", ref=answer_ref)
    return await award_points(repos, scoring, grant, now)


async def award_accepted_answer(
    repos: Repos, scoring: Scoring, community_id: int, answerer_id: int, asker_id: int, question_ref: str,
    now: dt.datetime,
) -> tuple[Award, Award] | None:
    """Award an accepted answer (answerer and asker) with Helper/Mentor badges; None for a self-accept."""
    if answerer_id == asker_id:
        return None
    rules = await scoring.rules(repos, community_id)
    for_answerer = Grant(
        community_id, answerer_id, rules.answer_accepted, "answer_accepted", f"accepted:{question_ref}",
        ref=question_ref,
    )
    for_asker = Grant(
        community_id, asker_id, rules.answer_accepted_asker, "answer_accepted_asker",
        f"accepted_asker:{question_ref}", ref=question_ref,
    )
    answerer = await award_points(repos, scoring, for_answerer, now)
    asker = await award_points(repos, scoring, for_asker, now)
    if answerer.applied:
        await award_badge(repos, community_id, answerer_id, HELPER, now)
        if await repos.points.count_reason(community_id, answerer_id, "answer_accepted") >= MENTOR_ANSWERS:
            await award_badge(repos, community_id, answerer_id, MENTOR, now)
    return answerer, asker


async def award_onboarding(repos: Repos, scoring: Scoring, community_id: int, user_id: int, now: dt.datetime) -> Award:
    """Award completing onboarding and the Newcomer badge, once per member and community."""
    rules = await scoring.rules(repos, community_id)
    grant = Grant(community_id, user_id, rules.onboarding, "onboarding", f"onboarding:{user_id}")
    award = await award_points(repos, scoring, grant, now)
    await award_badge(repos, community_id, user_id, NEWCOMER, now)
    return award


async def award_purchase(
    repos: Repos, scoring: Scoring, community_id: int, user_id: int, order_ref: str, now: dt.datetime
) -> Award:
    """Award a Stars purchase (once per order) and the Supporter badge for the first one."""
    rules = await scoring.rules(repos, community_id)
    grant = Grant(community_id, user_id, rules.purchase, "purchase", f"purchase:{order_ref}", ref=order_ref)
    award = await award_points(repos, scoring, grant, now)
    await award_badge(repos, community_id, user_id, SUPPORTER, now)
    return award
