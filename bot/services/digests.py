"""Digests and the weekly board (SPEC §6): composed from a community's data read once, never empty."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.schedule import local_now
from bot.services.badges import TOP_WEEK
from bot.services.notices import queue_notice
from bot.services.questions import excerpt
from bot.recommend.community import CommunityModel
from bot.services.levels import level_for
from bot.services.recommend import SIGNAL_WINDOW, Picker, Reach, Recommender
from bot.services.runs import RunContext
from bot.services.runs import DAY, GROUP_DIGEST, MEMBER_DIGEST, WEEK, WEEKLY_BOARD, Composed, after_quiet_hours
from bot.services.settings import effective_member_settings
from storage.db import Database
from storage.models import Community
from storage.models_engagement import DigestItem, DigestQuestion, Recipient, Standing
from storage.repos import Repos


PICKS = 3
EXCERPT_CHARS = 120
BOARD_SIZE = 10
WINNERS = 3  # the top of the weekly board who get the badge
MEMBER_KEYS = ("digest", "quiet_hours")  # the member preferences a digest run reads


@dataclass(frozen=True)
class DigestWorld:
    """What the members' digests of one community are composed from, read in a few queries."""

    community: Community
    recipients: list[Recipient]
    items: list[DigestItem]  # published, most opened and unlocked first
    fresh: list[DigestItem]  # published since the last digest, newest first
    owned: dict[int, set[int]]
    questions: list[DigestQuestion]
    answers: dict[int, list[list[Any]]]
    standings: dict[int, Standing]
    ranks: dict[int, int]
    model: CommunityModel | None = None  # the community's fitted recommendations (None: popularity)
    picker: Picker | None = None  # the items indexed against the model (built once for the run)
    subscribers: frozenset[int] = frozenset()  # members whose paid membership runs
    sells_plans: bool = False


async def load_digest_world(
    repos: Repos, community: Community, since: dt.datetime, now: dt.datetime, model: CommunityModel | None = None
) -> DigestWorld:
    """Read everything the members' digests need, for the whole community at once."""
    items = await repos.digests.items(community.id, now - SIGNAL_WINDOW)
    answers: dict[int, list[list[Any]]] = defaultdict(list)
    for answer in await repos.digests.new_answers(community.id, since):
        answers[answer.asker_id].append([answer.number, answer.author_name, excerpt(answer.text, EXCERPT_CHARS)])
    standings = {s.user_id: s for s in await repos.digests.standings(community.id)}
    subscribers, sells_plans = await repos.recommend.reach(community.id, now)
    return DigestWorld(
        community=community,
        recipients=await repos.digests.recipients(community.id, MEMBER_KEYS),
        items=items,
        fresh=sorted((i for i in items if i.created_at >= since), key=lambda i: (i.created_at, i.id), reverse=True),
        owned=await repos.digests.owned(community.id),
        questions=await repos.digests.open_questions(community.id, now - WEEK),
        answers=answers,
        standings=standings,
        ranks=week_ranks(standings.values()),
        model=model,
        picker=Picker(model, items),
        subscribers=frozenset(subscribers),
        sells_plans=sells_plans,
    )


def compose_member_digest(
    world: DigestWorld, member: Recipient, config: Settings, period: str, local: dt.datetime
) -> Composed | None:
    """Return one member's digest, or None when they turned it off or nothing is new for them."""
    preferences = effective_member_settings(member.preferences, config)
    if not preferences["digest"]:
        return None
    limit = config.engagement.digest_items
    new = [item for item in world.fresh if item.creator_id != member.user_id][:limit]
    theirs = world.answers.get(member.user_id, [])[:limit]
    open_here = [q for q in world.questions if q.asker_id != member.user_id and _about(q, member.tags)][:PICKS]
    if not (new or theirs or open_here):
        return None  # nothing new for them: no empty digests
    held = world.owned.get(member.user_id, set())
    standing = world.standings.get(member.user_id)
    levels = config.points.levels
    reach = Reach(len(levels), level_for(standing.score if standing else 0, levels),
                  member.user_id in world.subscribers, world.sells_plans)
    picker = world.picker or Picker(world.model, world.items)
    picks = picker.picks(member.user_id, member.tags, held | {item.id for item in new}, PICKS, reach)
    params = {
        "community": world.community.id, "title": world.community.title,
        "new": [_item(item) for item in new],
        "picks": [[*_item(pick.item), pick.reason, pick.tag, pick.because] for pick in picks],
        "answers": theirs,
        "questions": [[q.number, excerpt(q.text, EXCERPT_CHARS)] for q in open_here],
        "streak": standing.streak if standing else 0,
        "rank": world.ranks.get(member.user_id),
    }
    return Composed(
        f"digest:{world.community.id}:{member.user_id}:{period}", member.user_id, "engagement/digest", params,
        after_quiet_hours(preferences["quiet_hours"], local),
    )


async def _member_digests(repos: Repos, run: RunContext) -> tuple[list[Composed], int]:
    config, community, due, now, local = run.config, run.community, run.due, run.now, run.local
    model = run.recommender.model(community.id) if run.recommender is not None else None
    world = await load_digest_world(repos, community, now - due.window, now, model)
    if world.picker is not None:  # everyone's candidates in a few matrix products, not one member at a time
        world.picker.prepare((m.user_id, m.tags) for m in world.recipients
                             if effective_member_settings(m.preferences, config)["digest"])
    composed = [compose_member_digest(world, member, config, due.period, local) for member in world.recipients]
    # Members' digests may go out as paid broadcasts (faster than the free limit) when the community says so.
    paid = bool(run.settings["allow_paid_broadcast"])
    kept = [replace(notice, paid_broadcast=paid) for notice in composed if notice is not None]
    return kept, len(composed) - len(kept)


async def _group_digest(repos: Repos, run: RunContext) -> tuple[list[Composed], int]:
    config, community, due, now = run.config, run.community, run.due, run.now
    since = now - due.window
    limit = config.engagement.digest_items
    items = [item for item in await repos.digests.items(community.id, since) if item.created_at >= since]
    items.sort(key=lambda item: (item.created_at, item.id), reverse=True)
    asked = await repos.digests.open_questions(community.id, now - WEEK)
    unanswered = [q for q in asked if q.answer_count == 0 and q.created_at <= now - DAY][:limit]
    hot = sorted((q for q in asked if q.answer_count > 0), key=lambda q: (-q.answer_count, -q.number))[:limit]
    if not (items or unanswered or hot):
        return [], 1
    leaders = _ranked(await repos.points.top(community.id, 7, WINNERS))
    params = {
        "weekly": due.window == WEEK,
        "new": [[item.id, item.title] for item in items[:limit]],
        "unanswered": [[q.number, excerpt(q.text, EXCERPT_CHARS)] for q in unanswered],
        "hot": [[q.number, excerpt(q.text, EXCERPT_CHARS), q.answer_count] for q in hot],
        "leaders": [[name, points, rank] for _user_id, name, points, rank in leaders],
    }
    return [Composed(f"group_digest:{community.id}:{due.period}", community.id, "engagement/group_digest",
                     params)], 0


async def _weekly_board(repos: Repos, run: RunContext) -> tuple[list[Composed], int]:
    community, due = run.community, run.due
    leaders = _ranked(await repos.points.top(community.id, 7, BOARD_SIZE))
    if not leaders:
        return [], 1
    winners = tuple((user_id, TOP_WEEK) for user_id, _name, _points, rank in leaders if rank <= WINNERS)
    return [Composed(f"weekly_board:{community.id}:{due.period}", community.id, "engagement/weekly_board",
                     {"leaders": leaders}, badges=winners)], 0


COMPOSERS = {MEMBER_DIGEST: _member_digests, GROUP_DIGEST: _group_digest, WEEKLY_BOARD: _weekly_board}



def _ranked(top: list[tuple[int, int, str]]) -> list[list[Any]]:
    """Return [user_id, name, points, rank] for leaders best first; ties share a rank, as on /top."""
    ranked: list[list[Any]] = []
    for index, (user_id, points, name) in enumerate(top):
        rank = ranked[-1][3] if ranked and ranked[-1][2] == points else index + 1
        ranked.append([user_id, name, points, rank])
    return ranked


def week_ranks(standings: Any) -> dict[int, int]:
    """Rank members by points of the last 7 days (ties share a rank); members without any have none."""
    ordered = sorted((s for s in standings if s.week > 0), key=lambda s: -s.week)
    ranks: dict[int, int] = {}
    for index, standing in enumerate(ordered):
        previous = ordered[index - 1] if index else None
        ranks[standing.user_id] = ranks[previous.user_id] if previous and previous.week == standing.week else index + 1
    return ranks


def _item(item: DigestItem) -> list[Any]:
    return [item.id, item.title, item.price_stars, item.price_points]


def _about(question: DigestQuestion, tags: tuple[str, ...]) -> bool:
    text = question.text.casefold()
    return any(tag.casefold() in text for tag in tags)


@dataclass(frozen=True)
class DigestStats:
    """The last members' digest run of a community and how its notices fared."""

    period: str | None
    ran_at: dt.datetime | None
    queued: int
    skipped: int
    by_status: dict[str, int]


async def do_preview_digest(
    db: Database, clock: Clock, config: Settings, community_id: int, admin_id: int, key: str,
    recommender: Recommender | None = None,
) -> str:
    """Queue an admin's own digest now, whatever their opt-out; return "queued", "empty" or "unreachable"."""
    now = clock.now()
    model = await recommender.fresh(community_id) if recommender is not None else None
    async with db.read() as repos:
        community = await repos.communities.get(community_id)
        user = await repos.users.get(admin_id)
        if community is None or user is None or not user.can_message:
            return "unreachable"
        world = await load_digest_world(repos, community, now - DAY, now, model)
    local = local_now(now, community.timezone)
    member = Recipient(admin_id, user.first_name, await _tags_of(db, community_id, admin_id), {"digest": True})
    composed = compose_member_digest(world, member, config, f"preview:{key}", local)
    if composed is None:
        return "empty"
    async with db.transaction() as repos:
        await queue_notice(repos, composed.key, admin_id, composed.kind, now, community_id=community_id,
                           **composed.params)
    return "queued"


async def _tags_of(db: Database, community_id: int, user_id: int) -> tuple[str, ...]:
    async with db.read() as repos:
        state = await repos.onboarding.get(community_id, user_id)
    return tuple(state.tags) if state is not None else ()


async def get_digest_stats(db: Database, community_id: int) -> DigestStats:
    """Return the last members' digest run and its notices by status (sent, pending, failed, …)."""
    async with db.read() as repos:
        run = await repos.digests.last_run(community_id, MEMBER_DIGEST)
        if run is None:
            return DigestStats(None, None, 0, 0, {})
        by_status = await repos.outbox.count_by_status(community_id, f"digest:{community_id}:%:{run.period}")
    return DigestStats(run.period, run.ran_at, run.queued, run.skipped, by_status)
