"""Reads for digests and the weekly board (a few set-wise queries per community), and the runs they record."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import PRESENT_STATUSES
from storage.models_engagement import (
    Activity,
    DigestItem,
    DigestQuestion,
    EngagementRun,
    NewAnswer,
    Recipient,
    Standing,
)
from storage.schema import (
    answers,
    content_items,
    content_opens,
    engagement_runs,
    entitlements,
    memberships,
    onboarding,
    outbox,
    points_members,
    points_windows,
    questions,
    user_settings,
    users,
)
from storage.sql import chunks, insert

WEEK_WINDOW = 7  # points_windows.period of the rolling 7 days


class DigestsRepo:
    """What a digest run reads, and the engagement_runs table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def recipients(self, community_id: int, keys: Iterable[str]) -> list[Recipient]:
        """Return the members present in the group who started the bot and did not block it."""
        m, u, o = memberships.c, users.c, onboarding.c
        rows = await self.conn.execute(
            sa.select(u.id, u.first_name, o.tags, m.joined_at)
            .select_from(memberships.join(users, u.id == m.user_id).outerjoin(
                onboarding, sa.and_(o.community_id == m.community_id, o.user_id == m.user_id)))
            .where(m.community_id == community_id, m.status.in_(sorted(PRESENT_STATUSES)),
                   u.started_at.is_not(None), u.blocked_at.is_(None), u.is_bot.is_(False))
            .order_by(u.id)
        )
        people = [(row.id, row.first_name, tuple(row.tags or ()), row.joined_at) for row in rows]
        preferences: dict[int, dict[str, object]] = defaultdict(dict)
        names = list(keys)
        s = user_settings.c
        for ids in chunks([p[0] for p in people]):
            found = await self.conn.execute(
                sa.select(s.user_id, s.key, s.value).where(s.user_id.in_(ids), s.key.in_(names))
            )
            for user_id, key, value in found:
                preferences[user_id][key] = value
        return [Recipient(uid, name, tags, preferences.get(uid, {}), joined) for uid, name, tags, joined in people]

    async def items(self, community_id: int, since: dt.datetime) -> list[DigestItem]:
        """Return the published items with their opens and unlocks since `since`, most signals first."""
        i, op, e = content_items.c, content_opens.c, entitlements.c
        opens = (sa.select(sa.func.count()).where(op.item_id == i.id, op.created_at >= since)
                 .correlate(content_items).scalar_subquery())
        unlocks = (sa.select(sa.func.count()).where(e.item_id == i.id, e.created_at >= since, e.status == "active")
                   .correlate(content_items).scalar_subquery())
        signals = (opens + unlocks).label("signals")
        rows = await self.conn.execute(
            sa.select(i.id, i.creator_id, i.title, i.tags, i.price_stars, i.price_points, i.members_only,
                      i.min_level, i.created_at, signals)
            .where(i.community_id == community_id, i.status == "published")
            .order_by(signals.desc(), i.id.desc())
        )
        return [DigestItem(r.id, r.creator_id, r.title, tuple(r.tags or ()), r.price_stars, r.price_points,
                           bool(r.members_only), r.min_level, r.created_at, int(r.signals)) for r in rows]

    async def owned(self, community_id: int) -> dict[int, set[int]]:
        """Return the items each member holds (active entitlements), by member."""
        e = entitlements.c
        rows = await self.conn.execute(
            sa.select(e.user_id, e.item_id).where(e.community_id == community_id, e.status == "active")
        )
        held: dict[int, set[int]] = defaultdict(set)
        for user_id, item_id in rows:
            held[user_id].add(item_id)
        return held

    async def open_questions(self, community_id: int, since: dt.datetime) -> list[DigestQuestion]:
        """Return the questions still open that were asked since `since`, newest first."""
        q = questions.c
        rows = await self.conn.execute(
            sa.select(q.number, q.asker_id, q.text, q.answer_count, q.created_at)
            .where(q.community_id == community_id, q.status == "open", q.created_at >= since)
            .order_by(q.created_at.desc(), q.number.desc())
        )
        return [DigestQuestion(*row) for row in rows]

    async def new_answers(self, community_id: int, since: dt.datetime) -> list[NewAnswer]:
        """Return the answers given since `since` by someone other than the asker, oldest first."""
        a, q, u = answers.c, questions.c, users.c
        rows = await self.conn.execute(
            sa.select(q.asker_id, q.number, u.first_name, a.text, a.created_at)
            .select_from(answers.join(questions, q.id == a.question_id).join(users, u.id == a.author_id))
            .where(a.community_id == community_id, a.created_at >= since, a.author_id != q.asker_id)
            .order_by(a.created_at, a.id)
        )
        return [NewAnswer(*row) for row in rows]

    async def standings(self, community_id: int) -> list[Standing]:
        """Return every member's score, streak and points of the last 7 days."""
        pm, w = points_members.c, points_windows.c
        week = sa.func.coalesce(w.total, 0).label("week")
        rows = await self.conn.execute(
            sa.select(pm.user_id, pm.score, pm.streak, week)
            .select_from(points_members.outerjoin(points_windows, sa.and_(
                w.community_id == pm.community_id, w.user_id == pm.user_id, w.period == WEEK_WINDOW)))
            .where(pm.community_id == community_id)
        )
        return [Standing(*row) for row in rows]

    async def last_run(self, community_id: int, kind: str) -> EngagementRun | None:
        """Return the latest recorded run of a kind for the community, or None."""
        r = engagement_runs.c
        row = (await self.conn.execute(
            sa.select(r.period, r.ran_at, r.queued, r.skipped)
            .where(r.community_id == community_id, r.kind == kind).order_by(r.ran_at.desc()).limit(1)
        )).first()
        return EngagementRun(*row) if row else None

    async def activity(self, community_id: int) -> dict[int, Activity]:
        """Return every member's last earning message and check-in streak."""
        pm = points_members.c
        rows = await self.conn.execute(
            sa.select(pm.user_id, pm.last_message_at, pm.checkin_day, pm.streak).where(pm.community_id == community_id)
        )
        return {row.user_id: Activity(*row) for row in rows}

    async def answer_counts(self, community_id: int) -> dict[int, int]:
        """Return how many answers each member has given in the community."""
        a = answers.c
        rows = await self.conn.execute(
            sa.select(a.author_id, sa.func.count()).where(a.community_id == community_id).group_by(a.author_id)
        )
        return {author: int(count) for author, count in rows}

    async def reminders_since(self, community_id: int, since: dt.datetime) -> dict[int, int]:
        """Count the reminders queued for each member of a community since a moment."""
        o = outbox.c
        rows = await self.conn.execute(
            sa.select(o.chat_id, sa.func.count())
            .where(o.community_id == community_id, o.kind.like("reminders/%"), o.created_at >= since)
            .group_by(o.chat_id)
        )
        return {chat_id: int(count) for chat_id, count in rows}

    async def has_run(self, community_id: int, kind: str, period: str) -> bool:
        """Tell whether this kind of run was recorded for the community and local period."""
        r = engagement_runs.c
        found = await self.conn.scalar(
            sa.select(sa.func.count()).select_from(engagement_runs)
            .where(r.community_id == community_id, r.kind == kind, r.period == period)
        )
        return bool(found)

    async def record_run(
        self, community_id: int, kind: str, period: str, now: dt.datetime, queued: int, skipped: int
    ) -> bool:
        """Record a run once; False when it was recorded before (the run is then a repeat)."""
        result = await self.conn.execute(
            insert(self.conn, engagement_runs)
            .values(community_id=community_id, kind=kind, period=period, ran_at=now, queued=queued, skipped=skipped)
            .on_conflict_do_nothing(index_elements=["community_id", "kind", "period"])
        )
        return result.rowcount == 1
