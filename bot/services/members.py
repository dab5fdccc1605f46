"""Members coming and going: joins, leaves, join requests, supergroup migration, welcomes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.clock import Clock
from bot.config import OnboardingConfig
from bot.services.communities import UserInfo
from bot.services.community_options import read_options
from bot.services.notices import queue_notice
from bot.services.referrals import attribute
from storage.db import Database
from storage.models import GONE_STATUSES, PRESENT_STATUSES, Community, MemberStatus, User
from storage.repos import Repos


@dataclass(frozen=True)
class MemberChange:
    """What a membership update meant, and what the caller must do in Telegram."""

    community: Community
    joined: bool = False
    left: bool = False
    restrict: bool = False


@dataclass(frozen=True)
class JoinRequest:
    """What to do with a join request: approve it now, or send the requester onboarding."""

    community: Community
    approve: bool = False
    notify: bool = False


async def _store_user(repos: Repos, user: UserInfo, now: dt.datetime) -> None:
    await repos.users.upsert(
        user.id, user.first_name, user.last_name, user.username, user.language_code, user.is_bot, now
    )


async def do_record_member(
    db: Database,
    clock: Clock,
    defaults: OnboardingConfig,
    chat_id: int,
    user: UserInfo,
    status: MemberStatus,
    is_admin: bool | None = None,
    *,
    exact: bool = True,
    announce: bool = True,
    invite_url: str | None = None,
) -> MemberChange | None:
    """Record a member's new status; on a fresh join queue a welcome and apply the gate.

    exact=False (a service message) only moves between present and gone, never overwriting
    a finer status already known; announce=False records without welcome or gate.
    """
    now = clock.now()
    async with db.transaction() as repos:
        community = await repos.communities.get(chat_id)
        if community is None or not community.is_active:
            return None
        existing = await repos.memberships.get(chat_id, user.id)
        was_present = existing is not None and existing.is_active
        if not exact and (status in PRESENT_STATUSES) == was_present:
            return MemberChange(community)
        await _store_user(repos, user, now)
        admin = is_admin if is_admin is not None else bool(existing and existing.is_admin)
        await repos.memberships.upsert(chat_id, user.id, status, admin, now)
        joined = status in PRESENT_STATUSES and not was_present
        left = status in GONE_STATUSES and was_present
        restrict = False
        if joined:
            # Let in some other way (an admin approved the request): nothing left to approve.
            await repos.onboarding.clear_gate(chat_id, user.id, "request", now)
            await attribute(repos, chat_id, user.id, invite_url, existing is None, now)
        if joined and announce and not user.is_bot:
            await repos.welcomes.add(chat_id, user.id, now)
            restrict = await _apply_rules_gate(repos, defaults, chat_id, user.id, admin, now)
        if left:
            await repos.welcomes.remove(chat_id, user.id)
            state = await repos.onboarding.get(chat_id, user.id)
            if state is not None and state.gate == "restricted":
                # Gone already: nothing to remove. The gate stays so that accepting the rules
                # later still lifts Telegram's restriction, which outlives leaving.
                await repos.onboarding.set_gate(chat_id, user.id, "restricted", None, now)
    return MemberChange(community, joined=joined, left=left, restrict=restrict)


async def _apply_rules_gate(
    repos: Repos, defaults: OnboardingConfig, chat_id: int, user_id: int, is_admin: bool, now: dt.datetime
) -> bool:
    options = await read_options(repos, chat_id, defaults)
    if options.gate != "rules" or is_admin:
        return False
    state = await repos.onboarding.ensure(chat_id, user_id, now)
    if state.rules_accepted_at is not None:
        return False
    deadline = now + dt.timedelta(minutes=options.gate_timeout)
    await repos.onboarding.set_gate(chat_id, user_id, "restricted", deadline, now)
    return True


async def do_record_join_request(
    db: Database, clock: Clock, defaults: OnboardingConfig, chat_id: int, user: UserInfo,
    invite_url: str | None = None,
) -> JoinRequest | None:
    """Handle a join request under gate=request; None when the admins decide themselves."""
    now = clock.now()
    async with db.transaction() as repos:
        community = await repos.communities.get(chat_id)
        if community is None or not community.is_active:
            return None
        options = await read_options(repos, chat_id, defaults)
        if options.gate != "request":
            return None
        existing = await repos.memberships.get(chat_id, user.id)
        if existing is not None and existing.is_active:
            return JoinRequest(community)
        await _store_user(repos, user, now)
        await repos.memberships.upsert(chat_id, user.id, "pending", False, now)
        await attribute(repos, chat_id, user.id, invite_url, existing is None, now)
        state = await repos.onboarding.ensure(chat_id, user.id, now)
        if state.done:
            return JoinRequest(community, approve=True)
        await repos.onboarding.set_gate(chat_id, user.id, "request", None, now)
    # A repeated delivery of the same request finds it pending and writes nothing new.
    return JoinRequest(community, notify=existing is None or existing.status != "pending")


async def do_clear_gate(db: Database, clock: Clock, chat_id: int, user_id: int, gate: str) -> bool:
    """Forget a gate once Telegram carried it out (restriction lifted, request approved)."""
    async with db.transaction() as repos:
        return await repos.onboarding.clear_gate(chat_id, user_id, gate, clock.now())  # type: ignore[arg-type]


async def do_migrate_community(db: Database, clock: Clock, old_id: int, new_id: int) -> bool:
    """Move a community and every row that belongs to it to its new supergroup id."""
    async with db.transaction() as repos:
        return await repos.communities.migrate_id(old_id, new_id, clock.now())


@dataclass(frozen=True)
class WelcomeBatch:
    """Everyone who joined since the last welcome, and the text admins chose."""

    community: Community
    welcome: str | None
    users: list[User]
    upto_id: int


async def _welcome_batch(repos: Repos, defaults: OnboardingConfig, community_id: int) -> WelcomeBatch | None:
    community = await repos.communities.get(community_id)
    pending = await repos.welcomes.pending(community_id)
    if community is None or not pending:
        return None
    options = await read_options(repos, community_id, defaults)
    return WelcomeBatch(community, options.welcome, [user for _, user in pending], pending[-1][0])


async def get_welcome_batch(db: Database, defaults: OnboardingConfig, community_id: int) -> WelcomeBatch | None:
    """Return the joins waiting for a welcome, or None when there are none."""
    async with db.read() as repos:
        return await _welcome_batch(repos, defaults, community_id)


async def do_queue_welcome(db: Database, clock: Clock, defaults: OnboardingConfig, community_id: int) -> int:
    """Queue one welcome naming everyone who joined since the last one; return how many it names."""
    now = clock.now()
    async with db.transaction() as repos:
        batch = await _welcome_batch(repos, defaults, community_id)
        if batch is None or not await repos.welcomes.take(community_id, batch.upto_id):
            return 0
        if not batch.community.is_active:
            return 0
        queued = await queue_notice(
            repos, f"welcome:{community_id}:{batch.upto_id}", community_id, "onboarding/welcome", now,
            title=batch.community.title, group=community_id,
            users=[[user.id, user.full_name] for user in batch.users], welcome=batch.welcome,
        )
    return len(batch.users) if queued else 0


async def get_welcome_backlog(db: Database) -> list[int]:
    """Return the communities with joins still waiting for a welcome."""
    async with db.read() as repos:
        return await repos.welcomes.communities()
