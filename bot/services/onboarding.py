"""Private onboarding: rules → interest survey → profile, resumable, credited once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.clock import Clock
from bot.config import OnboardingConfig
from bot.errors import DomainError, NotFound
from bot.services.community_options import OnboardingOptions, read_options
from bot.services.earning import award_onboarding
from bot.services.referrals import ONBOARDED, reward_referral
from bot.services.points_rules import Scoring
from storage.db import Database
from storage.models import Community
from storage.repos import Repos
from storage.repos.onboarding import Onboarding


class NotMember(DomainError):
    """Onboarding is for people in the group (or asking to join it)."""

    key = "onb.not_member"


@dataclass(frozen=True)
class OnboardingView:
    """A member's onboarding after an action, and what the caller must do in Telegram."""

    community: Community
    options: OnboardingOptions
    state: Onboarding
    completed_now: bool = False
    points: int = 0

    @property
    def unrestrict(self) -> bool:
        """The rules were accepted but the group restriction is not lifted yet."""
        return self.state.gate == "restricted" and self.state.rules_accepted_at is not None

    @property
    def approve(self) -> bool:
        """Onboarding is complete and the join request still waits for approval."""
        return self.state.gate == "request" and self.state.done


async def _open(
    repos: Repos, defaults: OnboardingConfig, chat_id: int, user_id: int, now: dt.datetime
) -> tuple[Community, OnboardingOptions, Onboarding]:
    community = await repos.communities.get(chat_id)
    if community is None or not community.is_active:
        raise NotFound("start.join.unknown")
    membership = await repos.memberships.get(chat_id, user_id)
    if membership is None or not (membership.is_active or membership.status == "pending"):
        user = await repos.users.get(user_id)
        raise NotMember(title=community.title, name=user.first_name if user else "")
    options = await read_options(repos, chat_id, defaults)
    state = await repos.onboarding.ensure(chat_id, user_id, now)
    return community, options, state


async def do_open_onboarding(
    db: Database, clock: Clock, defaults: OnboardingConfig, chat_id: int, user_id: int
) -> OnboardingView:
    """Start onboarding, or return where the member left off; NotMember if they are not in the group."""
    async with db.transaction() as repos:
        community, options, state = await _open(repos, defaults, chat_id, user_id, clock.now())
    return OnboardingView(community, options, state)


async def do_accept_rules(
    db: Database,
    clock: Clock,
    defaults: OnboardingConfig,
    chat_id: int,
    user_id: int,
    scoring: Scoring | None = None,
) -> OnboardingView:
    """Accept the rules: on to the survey, or straight to done when the community has no tags."""
    now = clock.now()
    async with db.transaction() as repos:
        community, options, state = await _open(repos, defaults, chat_id, user_id, now)
        next_step = "survey" if options.tags else "done"
        if not await repos.onboarding.accept_rules(chat_id, user_id, next_step, now):
            return OnboardingView(community, options, state)
        # The rules are accepted: the newcomer can no longer be removed by the gate.
        if state.gate == "restricted":
            await repos.onboarding.set_gate(chat_id, user_id, "restricted", None, now)
        if next_step == "done":
            return await _complete(repos, scoring, community, options, user_id, now)
        return OnboardingView(community, options, await _reload(repos, chat_id, user_id))


async def do_choose_tag(
    db: Database, clock: Clock, defaults: OnboardingConfig, chat_id: int, user_id: int, index: int, chosen: bool
) -> OnboardingView:
    """Select or deselect one survey tag (idempotent: a repeated press changes nothing)."""
    now = clock.now()
    async with db.transaction() as repos:
        community, options, state = await _open(repos, defaults, chat_id, user_id, now)
        if state.step != "survey" or not 0 <= index < len(options.tags):
            return OnboardingView(community, options, state)
        tag = options.tags[index]
        picked = set(state.tags) | {tag} if chosen else set(state.tags) - {tag}
        if picked != set(state.tags):
            ordered = [t for t in options.tags if t in picked] + [t for t in state.tags if t not in options.tags]
            await repos.onboarding.set_tags(chat_id, user_id, ordered, now)
            state = await _reload(repos, chat_id, user_id)
        return OnboardingView(community, options, state)


async def do_finish_onboarding(
    db: Database,
    clock: Clock,
    defaults: OnboardingConfig,
    chat_id: int,
    user_id: int,
    scoring: Scoring | None = None,
) -> OnboardingView:
    """Close the survey: onboarding is complete; points and badge are credited the first time only."""
    now = clock.now()
    async with db.transaction() as repos:
        community, options, state = await _open(repos, defaults, chat_id, user_id, now)
        if state.step != "survey":
            return OnboardingView(community, options, state)
        return await _complete(repos, scoring, community, options, user_id, now)


async def _complete(
    repos: Repos,
    scoring: Scoring | None,
    community: Community,
    options: OnboardingOptions,
    user_id: int,
    now: dt.datetime,
) -> OnboardingView:
    first = await repos.onboarding.complete(community.id, user_id, now)
    state = await _reload(repos, community.id, user_id)
    if not first:
        return OnboardingView(community, options, state)
    points = 0
    if scoring is not None:
        award = await award_onboarding(repos, scoring, community.id, user_id, now)
        points = award.delta if award.applied else 0
        await reward_referral(repos, scoring, None, community.id, user_id, ONBOARDED, now)
    return OnboardingView(community, options, state, completed_now=True, points=points)


async def _reload(repos: Repos, chat_id: int, user_id: int) -> Onboarding:
    state = await repos.onboarding.get(chat_id, user_id)
    assert state is not None
    return state
