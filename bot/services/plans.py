"""Paid memberships: plans admins sell per 30 days, and whether a member's plan is active."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.clock import Clock
from bot.errors import DomainError, NotFound, Usage
from bot.numbers import parse_int
from bot.services.communities import UserInfo, ensure_user
from storage.db import Database
from storage.models_content import PaidMembership, Plan
from storage.repos import Repos

MAX_PLAN_NAME = 32  # an invoice title holds at most 32 characters
MAX_TRIAL_DAYS = 90
TRIAL_PREFIX = "trial="
TRIAL = "trial"  # the renewal state of a membership that is a free trial: nothing renews it


async def has_active_membership(db: Database, community_id: int, user_id: int, now: dt.datetime) -> bool:
    """Tell whether the user's paid membership of the community runs at this instant."""
    async with db.read() as repos:
        return await membership_active(repos, community_id, user_id, now)


async def membership_active(repos: Repos, community_id: int, user_id: int, now: dt.datetime) -> bool:
    """Tell, inside the caller's transaction, whether the user's paid membership runs."""
    membership = await repos.plans.membership(community_id, user_id)
    return membership is not None and membership.expires_at > now


def renews(membership: PaidMembership | None, now: dt.datetime) -> bool:
    """Tell whether a membership runs and Telegram will renew it (so a new subscription is not needed)."""
    return membership is not None and membership.expires_at > now and membership.renewal == "on"


async def get_membership(db: Database, community_id: int, user_id: int) -> PaidMembership | None:
    """Return the user's paid membership of the community (maybe expired), if any."""
    async with db.read() as repos:
        return await repos.plans.membership(community_id, user_id)


def parse_plan_add(args: list[str], max_stars: int) -> tuple[str, int, int | None]:
    """Parse `/plan add <name> <stars per 30 days> [trial=<days>]`; raise Usage when malformed."""
    trial = None
    if args and args[-1].lower().startswith(TRIAL_PREFIX):
        trial = parse_int(args[-1][len(TRIAL_PREFIX):])
        if trial is None or not 1 <= trial <= MAX_TRIAL_DAYS:
            raise Usage("plan.bad_trial", limit=MAX_TRIAL_DAYS)
        args = args[:-1]
    stars = parse_int(args[-1]) if len(args) >= 2 else None
    if stars is None:
        raise Usage("plan.usage")
    name = " ".join(args[:-1]).strip()
    if not name or len(name) > MAX_PLAN_NAME:
        raise Usage("plan.bad_name", limit=MAX_PLAN_NAME)
    if not 1 <= stars <= max_stars:
        raise Usage("plan.bad_price", limit=max_stars)
    return name, stars, trial


async def do_add_plan(
    db: Database, clock: Clock, community_id: int, actor_id: int, name: str, stars: int, trial_days: int | None = None
) -> Plan:
    """Create a plan (names are unique among active plans), optionally with a free trial; audited."""
    now = clock.now()
    async with db.transaction() as repos:
        if await repos.communities.get(community_id) is None:
            raise NotFound()
        if await repos.plans.find_active(community_id, name) is not None:
            raise Usage("plan.exists", name=name)
        plan = await repos.plans.add(community_id, name, stars, now, trial_days)
        details = {"plan": plan.id, "stars": stars, "trial": trial_days}
        await repos.audit.add(community_id, actor_id, "plan.add", None, details, now)
    return plan


@dataclass(frozen=True)
class TrialStart:
    """A trial just started: its plan, until when it runs, and whether a removed member comes back."""

    plan: Plan
    membership: PaidMembership
    readmit: bool


async def do_start_trial(db: Database, clock: Clock, plan_id: int, user: UserInfo) -> TrialStart:
    """Start a plan's free trial: once per person and community, never beside a running membership."""
    now = clock.now()
    async with db.transaction() as repos:
        plan = await repos.plans.get(plan_id)
        if plan is None or plan.status != "active":
            raise NotFound("plan.unknown", id=plan_id)
        if not plan.trial_days:
            raise DomainError("trial.none", name=plan.name)
        if await membership_active(repos, plan.community_id, user.id, now):
            raise DomainError("trial.member")
        await ensure_user(repos, user, now)
        ends = now + dt.timedelta(days=plan.trial_days)
        if not await repos.trials.start(plan.community_id, user.id, plan.id, now, ends):
            raise DomainError("trial.used")
        membership = await repos.plans.extend(plan.community_id, user.id, plan.id, ends, now)
        lapse = await repos.plans.renewed(plan.community_id, user.id, TRIAL, now)
        membership = await repos.plans.membership(plan.community_id, user.id) or membership
    return TrialStart(plan, membership, lapse in ("removing", "removed"))


async def get_trial_taken(db: Database, community_id: int, user_id: int) -> bool:
    """Tell whether the user had a free trial in the community."""
    async with db.read() as repos:
        return await repos.trials.taken(community_id, user_id)


async def do_delete_plan(db: Database, clock: Clock, community_id: int, actor_id: int, plan_id: int) -> Plan:
    """Retire a plan: no new subscriptions; running ones last until they expire. Audited."""
    now = clock.now()
    async with db.transaction() as repos:
        plan = await repos.plans.get(plan_id)
        if plan is None or plan.community_id != community_id or not await repos.plans.delete(plan_id, now):
            raise NotFound("plan.unknown", id=plan_id)
        await repos.audit.add(community_id, actor_id, "plan.delete", None, {"plan": plan_id}, now)
    return plan


async def get_plans(db: Database, community_id: int) -> list[Plan]:
    """Return the community's active plans, cheapest first."""
    async with db.read() as repos:
        return await repos.plans.active(community_id)


async def get_plan(db: Database, plan_id: int) -> Plan:
    """Return an active plan or raise NotFound."""
    async with db.read() as repos:
        plan = await repos.plans.get(plan_id)
    if plan is None or plan.status != "active":
        raise NotFound("plan.unknown", id=plan_id)
    return plan


# --- gate=request: joining waits for a plan where the community sells plans ----------------


async def join_needs_plan(repos: Repos, community_id: int, user_id: int, now: dt.datetime) -> bool:
    """Tell whether approving a join request must wait for a plan (plans on offer, none running)."""
    if not await repos.plans.active(community_id):
        return False
    return not await membership_active(repos, community_id, user_id, now)


async def get_join_offer(db: Database, community_id: int, user_id: int, now: dt.datetime) -> list[Plan] | None:
    """Return the plans to offer a requester whose approval waits for one, or None when it need not wait."""
    async with db.read() as repos:
        if not await join_needs_plan(repos, community_id, user_id, now):
            return None
        return await repos.plans.active(community_id)


async def get_waiting_join(db: Database, community_id: int, user_id: int) -> bool:
    """Tell whether the user's join request waits only for approval (onboarding done, gate open)."""
    async with db.read() as repos:
        state = await repos.onboarding.get(community_id, user_id)
    return state is not None and state.gate == "request" and state.done
