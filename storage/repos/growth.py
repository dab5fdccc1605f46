"""Growth tables: trials taken, members' invite links, referrals (who joined through whose link)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import invite_links, referrals, trials
from storage.sql import insert

_t, _l, _r = trials.c, invite_links.c, referrals.c


class InviteLink(NamedTuple):
    """A member's personal link to a community's group."""

    community_id: int
    user_id: int
    url: str
    creates_join_request: bool


class Referral(NamedTuple):
    """A newcomer attributed to the member whose link they came through."""

    community_id: int
    newcomer_id: int
    inviter_id: int
    joined_at: dt.datetime
    onboarded_at: dt.datetime | None
    purchased_at: dt.datetime | None


class TrialsRepo:
    """Read and write trials: one per person and community, ever."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def start(self, community_id: int, user_id: int, plan_id: int, now: dt.datetime, ends: dt.datetime) -> bool:
        """Record a trial; False when this person had one in this community already."""
        result = await self.conn.execute(
            insert(self.conn, trials)
            .values(community_id=community_id, user_id=user_id, plan_id=plan_id, started_at=now, ends_at=ends)
            .on_conflict_do_nothing(index_elements=[_t.community_id, _t.user_id])
        )
        return result.rowcount == 1

    async def taken(self, community_id: int, user_id: int) -> bool:
        """Tell whether this person had a trial in this community."""
        found = await self.conn.scalar(
            sa.select(sa.literal(1)).where(_t.community_id == community_id, _t.user_id == user_id)
        )
        return found is not None


class InviteLinksRepo:
    """Read and write members' invite links."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, community_id: int, user_id: int) -> InviteLink | None:
        """Return the member's link to the community, if they have one."""
        row = (await self.conn.execute(
            sa.select(_l.community_id, _l.user_id, _l.url, _l.creates_join_request)
            .where(_l.community_id == community_id, _l.user_id == user_id)
        )).first()
        return InviteLink(*row) if row else None

    async def by_url(self, url: str) -> InviteLink | None:
        """Return the link with this URL, if a member owns it."""
        row = (await self.conn.execute(
            sa.select(_l.community_id, _l.user_id, _l.url, _l.creates_join_request).where(_l.url == url)
        )).first()
        return InviteLink(*row) if row else None

    async def put(self, link: InviteLink, now: dt.datetime) -> None:
        """Store the member's link, replacing the one they had."""
        stmt = insert(self.conn, invite_links).values(**link._asdict(), created_at=now)
        await self.conn.execute(stmt.on_conflict_do_update(
            index_elements=[_l.community_id, _l.user_id],
            set_={"url": link.url, "creates_join_request": link.creates_join_request, "created_at": now},
        ))


class ReferralsRepo:
    """Read and write referrals."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, community_id: int, newcomer_id: int, inviter_id: int, now: dt.datetime) -> bool:
        """Attribute a newcomer to an inviter; False when they were attributed before."""
        result = await self.conn.execute(
            insert(self.conn, referrals)
            .values(community_id=community_id, newcomer_id=newcomer_id, inviter_id=inviter_id, joined_at=now)
            .on_conflict_do_nothing(index_elements=[_r.community_id, _r.newcomer_id])
        )
        return result.rowcount == 1

    async def get(self, community_id: int, newcomer_id: int) -> Referral | None:
        """Return the newcomer's referral, if any."""
        row = (await self.conn.execute(
            sa.select(*referrals.c).where(_r.community_id == community_id, _r.newcomer_id == newcomer_id)
        )).first()
        return Referral(**row._mapping) if row else None

    async def mark(self, community_id: int, newcomer_id: int, column: str, now: dt.datetime) -> bool:
        """Set onboarded_at or purchased_at once; False when it was set already."""
        result = await self.conn.execute(
            sa.update(referrals)
            .where(_r.community_id == community_id, _r.newcomer_id == newcomer_id, referrals.c[column].is_(None))
            .values({column: now})
        )
        return result.rowcount == 1

    async def counts(self, community_id: int, inviter_id: int) -> tuple[int, int]:
        """Return how many joined and how many paid through the inviter's link."""
        row = (await self.conn.execute(
            sa.select(sa.func.count(), sa.func.count(_r.purchased_at))
            .where(_r.community_id == community_id, _r.inviter_id == inviter_id)
        )).one()
        return int(row[0]), int(row[1])

    async def top_inviters(
        self, community_id: int, since: dt.datetime, limit: int = 5
    ) -> list[tuple[int, int, int]]:
        """Return (inviter, joined, paid) for the period's best inviters, most joins first."""
        rows = await self.conn.execute(
            sa.select(_r.inviter_id, sa.func.count().label("joined"), sa.func.count(_r.purchased_at))
            .where(_r.community_id == community_id, _r.joined_at >= since)
            .group_by(_r.inviter_id)
            .order_by(sa.desc("joined"), _r.inviter_id)
            .limit(limit)
        )
        return [(int(a), int(b), int(c)) for a, b, c in rows]
