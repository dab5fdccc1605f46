"""Membership plans and the paid memberships they grant."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models_content import PaidMembership, Plan
from storage.schema import paid_memberships, plans
from storage.sql import insert

_p = plans.c
_m = paid_memberships.c


class PlansRepo:
    """Read and write plans and paid_memberships."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(
        self, community_id: int, name: str, price_stars: int, now: dt.datetime, trial_days: int | None = None
    ) -> Plan:
        """Create an active plan (with its free trial's days, if it has one); return it."""
        row = (
            await self.conn.execute(
                sa.insert(plans)
                .values(
                    community_id=community_id,
                    name=name,
                    price_stars=price_stars,
                    trial_days=trial_days,
                    status="active",
                    created_at=now,
                    updated_at=now,
                )
                .returning(*plans.c)
            )
        ).one()
        return Plan.from_row(row._mapping)

    async def get(self, plan_id: int) -> Plan | None:
        """Return the plan, or None."""
        row = (await self.conn.execute(sa.select(plans).where(_p.id == plan_id))).first()
        return Plan.from_row(row._mapping) if row else None

    async def active(self, community_id: int) -> list[Plan]:
        """Return the community's active plans, cheapest first."""
        rows = await self.conn.execute(
            sa.select(plans)
            .where(_p.community_id == community_id, _p.status == "active")
            .order_by(_p.price_stars, _p.id)
        )
        return [Plan.from_row(row._mapping) for row in rows]

    async def find_active(self, community_id: int, name: str) -> Plan | None:
        """Return the active plan with this name (case-insensitive), if any."""
        row = (
            await self.conn.execute(
                sa.select(plans).where(
                    _p.community_id == community_id,
                    _p.status == "active",
                    sa.func.lower(_p.name) == name.lower(),
                )
            )
        ).first()
        return Plan.from_row(row._mapping) if row else None

    async def delete(self, plan_id: int, now: dt.datetime) -> bool:
        """Retire an active plan; False when there was none."""
        result = await self.conn.execute(
            sa.update(plans).where(_p.id == plan_id, _p.status == "active").values(status="deleted", updated_at=now)
        )
        return result.rowcount == 1

    async def membership(self, community_id: int, user_id: int) -> PaidMembership | None:
        """Return the user's paid membership of the community, if any."""
        row = (
            await self.conn.execute(
                sa.select(paid_memberships).where(_m.community_id == community_id, _m.user_id == user_id)
            )
        ).first()
        return PaidMembership.from_row(row._mapping) if row else None

    async def memberships_of(self, user_id: int) -> list[PaidMembership]:
        """Return every paid membership the user has had."""
        rows = await self.conn.execute(sa.select(paid_memberships).where(_m.user_id == user_id))
        return [PaidMembership.from_row(row._mapping) for row in rows]

    async def extend(
        self, community_id: int, user_id: int, plan_id: int | None, until: dt.datetime, now: dt.datetime
    ) -> PaidMembership:
        """Set the expiry to the later of the stored one and until (never shortens); return it."""
        stmt = insert(self.conn, paid_memberships).values(
            community_id=community_id, user_id=user_id, plan_id=plan_id, expires_at=until, updated_at=now
        )
        # A plain comparison: both sides are the same fixed-width UTC form on SQLite.
        newer = stmt.excluded.expires_at > _m.expires_at
        await self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[_m.community_id, _m.user_id],
                set_={
                    "expires_at": sa.case((newer, stmt.excluded.expires_at), else_=_m.expires_at),
                    "plan_id": sa.case((newer, stmt.excluded.plan_id), else_=_m.plan_id),
                    "updated_at": now,
                },
            )
        )
        membership = await self.membership(community_id, user_id)
        assert membership is not None
        return membership

    async def set_expiry(self, community_id: int, user_id: int, until: dt.datetime, now: dt.datetime) -> None:
        """Overwrite the expiry (after a refund recomputed it)."""
        await self.conn.execute(
            sa.update(paid_memberships)
            .where(_m.community_id == community_id, _m.user_id == user_id)
            .values(expires_at=until, updated_at=now)
        )

    async def count_active(self, community_id: int, now: dt.datetime) -> int:
        """Count memberships of the community that have not expired."""
        count = await self.conn.scalar(
            sa.select(sa.func.count()).where(_m.community_id == community_id, _m.expires_at > now)
        )
        return int(count or 0)

    # --- renewals and lapses ------------------------------------------------------------------

    async def set_renewal(self, community_id: int, user_id: int, renewal: str, now: dt.datetime) -> bool:
        """Record whether the membership renews (on | canceled | failed | off); False when there is none."""
        result = await self.conn.execute(
            sa.update(paid_memberships)
            .where(_m.community_id == community_id, _m.user_id == user_id)
            .values(renewal=renewal, updated_at=now)
        )
        return result.rowcount == 1

    async def renewed(self, community_id: int, user_id: int, renewal: str, now: dt.datetime) -> str | None:
        """After a payment: set the renewal state and clear a lapse; return the lapse it had."""
        membership = await self.membership(community_id, user_id)
        await self.conn.execute(
            sa.update(paid_memberships)
            .where(_m.community_id == community_id, _m.user_id == user_id)
            .values(renewal=renewal, lapse=None, lapsed_at=None, updated_at=now)
        )
        return membership.lapse if membership else None

    async def ending(self, community_id: int, after: dt.datetime, until: dt.datetime) -> list[PaidMembership]:
        """Return memberships that end in (after, until] and will not renew."""
        rows = await self.conn.execute(
            sa.select(paid_memberships).where(
                _m.community_id == community_id, _m.expires_at > after, _m.expires_at <= until, _m.renewal != "on"
            ).order_by(_m.user_id)
        )
        return [PaidMembership.from_row(row._mapping) for row in rows]

    async def lapsed(self, since: dt.datetime, until: dt.datetime, lapse: str | None) -> list[PaidMembership]:
        """Return memberships (of every community) that ended in (since, until] and are at this lapse step."""
        step = _m.lapse.is_(None) if lapse is None else _m.lapse == lapse
        rows = await self.conn.execute(
            sa.select(paid_memberships)
            .where(_m.expires_at > since, _m.expires_at <= until, step)
            .order_by(_m.community_id, _m.user_id)
        )
        return [PaidMembership.from_row(row._mapping) for row in rows]

    async def move_lapse(
        self, community_id: int, user_id: int, old: str | None, new: str | None, ended_by: dt.datetime,
        now: dt.datetime,
    ) -> bool:
        """Move a lapse from one step to the next if the membership still ended by `ended_by`."""
        step = _m.lapse.is_(None) if old is None else _m.lapse == old
        result = await self.conn.execute(
            sa.update(paid_memberships)
            .where(_m.community_id == community_id, _m.user_id == user_id, step, _m.expires_at <= ended_by)
            .values(lapse=new, lapsed_at=now, updated_at=now)
        )
        return result.rowcount == 1
