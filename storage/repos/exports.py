"""What /export and `circlebot export` write: one streamed query per file, rows in chunks.

Each method yields lists of plain tuples, CHUNK rows at a time, from a server-side cursor, so a
community of 100k members never sits in memory at once. Column order is the file's header order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import (
    answers,
    badges,
    content_items,
    member_days,
    memberships,
    plans,
    points_ledger,
    points_members,
    questions,
    star_payments,
    users,
)

CHUNK = 2_000
Rows = AsyncIterator[Sequence[tuple[Any, ...]]]

_m = memberships.c
_u = users.c
_p = star_payments.c
_l = points_ledger.c
_q = questions.c
_a = answers.c


class ExportsRepo:
    """Stream a community's members, payments, ledger and Q&A for CSV exports."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def _stream(self, query: sa.Select[Any]) -> Rows:
        result = await self.conn.stream(query)
        async for partition in result.partitions(CHUNK):
            yield [tuple(row) for row in partition]

    def members(self, community_id: int) -> Rows:
        """(id, first name, last name, username, joined, left, score, level, badges, purchases, last active day)."""
        pm = points_members.c
        bought = (
            sa.select(_p.user_id, sa.func.count().label("n"))
            .where(_p.community_id == community_id, _p.status == "paid")
            .group_by(_p.user_id)
            .subquery()
        )
        seen = (
            sa.select(member_days.c.user_id, sa.func.max(member_days.c.day).label("day"))
            .where(member_days.c.community_id == community_id)
            .group_by(member_days.c.user_id)
            .subquery()
        )
        held = (
            sa.select(badges.c.user_id, sa.func.aggregate_strings(badges.c.badge, " ").label("names"))
            .where(badges.c.community_id == community_id)
            .group_by(badges.c.user_id)
            .subquery()
        )
        query = (
            sa.select(
                _m.user_id, _u.first_name, _u.last_name, _u.username, _m.joined_at, _m.left_at,
                sa.func.coalesce(pm.score, 0), sa.func.coalesce(pm.level, 1), held.c.names,
                sa.func.coalesce(bought.c.n, 0), seen.c.day,
            )
            .select_from(memberships)
            .join(users, _u.id == _m.user_id)
            .outerjoin(points_members, sa.and_(pm.community_id == _m.community_id, pm.user_id == _m.user_id))
            .outerjoin(held, held.c.user_id == _m.user_id)
            .outerjoin(bought, bought.c.user_id == _m.user_id)
            .outerjoin(seen, seen.c.user_id == _m.user_id)
            .where(_m.community_id == community_id)
            .order_by(_m.user_id)
        )
        return self._stream(query)

    def payments(self, community_id: int) -> Rows:
        """(charge id, buyer id, first name, last name, kind, item or plan id, its title, Stars, time, status,
        refunded at)."""
        what = sa.case(
            (_p.kind == "item", content_items.c.title), (_p.kind == "plan", plans.c.name), else_=None
        )
        query = (
            sa.select(
                _p.charge_id, _p.user_id, _u.first_name, _u.last_name, _p.kind,
                sa.func.coalesce(_p.item_id, _p.plan_id), what, _p.amount, _p.created_at, _p.status, _p.refunded_at,
            )
            .select_from(star_payments)
            .join(users, _u.id == _p.user_id)
            .outerjoin(content_items, content_items.c.id == _p.item_id)
            .outerjoin(plans, plans.c.id == _p.plan_id)
            .where(_p.community_id == community_id)
            .order_by(_p.id)
        )
        return self._stream(query)

    def ledger(self, community_id: int) -> Rows:
        """(row id, time, day, user id, first name, last name, delta, scored, reason, ref), oldest first."""
        query = (
            sa.select(
                _l.id, _l.created_at, _l.day, _l.user_id, _u.first_name, _u.last_name, _l.delta, _l.scored,
                _l.reason, _l.ref,
            )
            .select_from(points_ledger)
            .join(users, _u.id == _l.user_id)
            .where(_l.community_id == community_id)
            .order_by(_l.id)
        )
        return self._stream(query)

    def qa(self, community_id: int) -> Rows:
        """(question number, kind, status, author id, first name, last name, text, time, accepted), each
        question followed by its answers."""
        asked = (
            sa.select(
                _q.number.label("number"), sa.literal(0).label("rank"), _q.id.label("id"), sa.literal("question"),
                _q.status, _q.asker_id, _u.first_name, _u.last_name, _q.text, _q.created_at, sa.literal(None),
            )
            .join(users, _u.id == _q.asker_id)
            .where(_q.community_id == community_id)
        )
        answered = (
            sa.select(
                _q.number, sa.literal(1), _a.id, sa.literal("answer"), sa.literal(None), _a.author_id,
                _u.first_name, _u.last_name, _a.text, _a.created_at, _a.id == _q.accepted_answer_id,
            )
            .select_from(answers)
            .join(questions, _q.id == _a.question_id)
            .join(users, _u.id == _a.author_id)
            .where(_a.community_id == community_id)
        )
        both = sa.union_all(asked, answered).subquery()
        cols = list(both.c)
        query = sa.select(*cols[:1], *cols[3:]).order_by(both.c.number, both.c.rank, both.c.id)
        return self._stream(query)
