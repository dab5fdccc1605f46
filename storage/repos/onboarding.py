"""Onboarding: each member's progress through rules and survey, and their gate."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import PRESENT_STATUSES, Community, Membership, _Row
from storage.schema import communities, memberships, onboarding
from storage.sql import insert, row_dict

_o = onboarding.c

Step = Literal["rules", "survey", "done"]
GateState = Literal["restricted", "removing", "request"]


class Onboarding(_Row):
    """A member's onboarding in one community."""

    community_id: int
    user_id: int
    step: Step
    tags: list[str]
    rules_accepted_at: dt.datetime | None
    completed_at: dt.datetime | None
    gate: GateState | None
    gate_deadline: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def done(self) -> bool:
        """Tell whether onboarding is complete."""
        return self.step == "done"


class OnboardingRepo:
    """Read and write the onboarding table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, community_id: int, user_id: int) -> Onboarding | None:
        """Return the member's onboarding, or None."""
        row = (await self.conn.execute(sa.select(onboarding).where(*_key(community_id, user_id)))).first()
        return Onboarding.from_row(row._mapping) if row else None

    async def ensure(self, community_id: int, user_id: int, now: dt.datetime) -> Onboarding:
        """Return the member's onboarding, creating it at the rules step; its row is held until commit.

        PostgreSQL: a member's onboarding steps (two taps at once) run one after the other.
        """
        await self.conn.execute(
            insert(self.conn, onboarding)
            .values(community_id=community_id, user_id=user_id, step="rules", tags=[], created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=[_o.community_id, _o.user_id])
        )
        row = (
            await self.conn.execute(sa.select(onboarding).where(*_key(community_id, user_id)).with_for_update())
        ).first()
        assert row is not None
        return Onboarding.from_row(row._mapping)

    async def for_user(self, user_id: int) -> dict[int, Onboarding]:
        """Return the user's onboardings keyed by community id."""
        rows = await self.conn.execute(sa.select(onboarding).where(_o.user_id == user_id))
        return {row.community_id: Onboarding.from_row(row._mapping) for row in rows}

    async def overview(self, user_id: int) -> list[tuple[Community, Membership, Onboarding | None]]:
        """Return the active communities the user is in or asked to join, with their onboarding."""
        rows = await self.conn.execute(
            sa.select(communities, memberships, onboarding)
            .join(memberships, memberships.c.community_id == communities.c.id)
            .outerjoin(onboarding, sa.and_(*_key(communities.c.id, memberships.c.user_id)))
            .where(
                memberships.c.user_id == user_id,
                memberships.c.status.in_(sorted(PRESENT_STATUSES | {"pending"})),
                communities.c.status == "active",
            )
            .order_by(communities.c.title, communities.c.id)
        )
        return [
            (
                Community.from_row(row_dict(row, communities)),
                Membership.from_row(row_dict(row, memberships)),
                Onboarding.from_row(row_dict(row, onboarding)) if row._mapping[_o.created_at] else None,
            )
            for row in rows
        ]

    async def accept_rules(self, community_id: int, user_id: int, next_step: Step, now: dt.datetime) -> bool:
        """Move from the rules step to next_step; False when the rules were accepted before."""
        return await self._write(
            community_id, user_id, now, _o.step == "rules", step=next_step, rules_accepted_at=now
        )

    async def set_tags(self, community_id: int, user_id: int, tags: list[str], now: dt.datetime) -> bool:
        """Replace the chosen tags while the survey is open."""
        return await self._write(community_id, user_id, now, _o.step == "survey", tags=tags)

    async def complete(self, community_id: int, user_id: int, now: dt.datetime) -> bool:
        """Finish onboarding; True only the first time (the row is the once-only key)."""
        return await self._write(
            community_id, user_id, now, _o.completed_at.is_(None), _o.step != "rules", step="done", completed_at=now
        )

    async def set_gate(
        self, community_id: int, user_id: int, gate: GateState | None, deadline: dt.datetime | None, now: dt.datetime
    ) -> None:
        """Set (or clear with None) the member's gate and its deadline."""
        await self._write(community_id, user_id, now, gate=gate, gate_deadline=deadline)

    async def clear_gate(self, community_id: int, user_id: int, gate: GateState, now: dt.datetime) -> bool:
        """Clear the gate if it is in the given state; True when it was."""
        return await self._write(community_id, user_id, now, _o.gate == gate, gate=None, gate_deadline=None)

    async def claim_removal(self, community_id: int, user_id: int, now: dt.datetime) -> bool:
        """Mark an expired rules gate as being removed; False if it was accepted or cleared meanwhile."""
        expired = sa.or_(sa.and_(_o.gate == "restricted", _o.gate_deadline <= now), _o.gate == "removing")
        return await self._write(community_id, user_id, now, expired, _o.rules_accepted_at.is_(None), gate="removing")

    async def release_removal(self, community_id: int, user_id: int, now: dt.datetime) -> None:
        """Put a removal that failed for a passing reason back, to be tried again."""
        await self._write(community_id, user_id, now, _o.gate == "removing", gate="restricted")

    async def due_gates(self, now: dt.datetime, limit: int = 100) -> list[tuple[int, int]]:
        """Return (community, user) of rules gates past their deadline, or left mid-removal, in active communities."""
        rows = await self.conn.execute(
            sa.select(_o.community_id, _o.user_id)
            .join(communities, communities.c.id == _o.community_id)
            .where(
                sa.or_(sa.and_(_o.gate == "restricted", _o.gate_deadline <= now), _o.gate == "removing"),
                # Without the bot in the group there is nobody to remove them.
                communities.c.status == "active",
            )
            .order_by(_o.gate_deadline)
            .limit(limit)
        )
        return [(row.community_id, row.user_id) for row in rows]

    async def _write(
        self, community_id: int, user_id: int, now: dt.datetime, *conditions: Any, **values: Any
    ) -> bool:
        result = await self.conn.execute(
            sa.update(onboarding)
            .where(*_key(community_id, user_id), *conditions)
            .values(updated_at=now, **values)
        )
        return result.rowcount == 1


def _key(community_id: Any, user_id: Any) -> tuple[Any, Any]:
    return _o.community_id == community_id, _o.user_id == user_id
