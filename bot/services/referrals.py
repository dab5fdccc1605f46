"""Members who bring members (SPEC growth): personal invite links, attribution, rewards.

A member's `/invite` link is theirs, named after them and kept (one per community; remade when
the community switches to or from approving join requests). A newcomer who joins — or asks to
join — through it, and was never in the community before, is attributed to its owner (never to
themselves). The inviter earns `points.referral` when the newcomer finishes onboarding and
`points.referral_purchase` on the newcomer's first Stars purchase: each once per newcomer, as the
referral row's timestamps and the ledger keys guarantee. With `referral_reward_after` N, every
N-th paying newcomer also gives the inviter 30 free days of membership.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.services.community_options import read_options
from bot.services.notices import queue_notice
from bot.services.points import Grant, award_points
from bot.services.points_rules import Scoring
from bot.services.settings import read_community_settings
from storage.db import Database
from storage.models import Community
from storage.repos import Repos
from storage.repos.growth import InviteLink

ONBOARDED, PURCHASED = "onboarded_at", "purchased_at"
REWARD_PERIOD = dt.timedelta(days=30)
MAX_LINK_NAME = 32  # Telegram keeps at most 32 characters of a link's name


@dataclass(frozen=True)
class InviteCounts:
    """How many joined and paid through a member's link."""

    joined: int
    paid: int


async def get_invite_communities(db: Database, user_id: int) -> list[Community]:
    """Return the active communities the user is in now (those they can invite to)."""
    async with db.read() as repos:
        return [community for community, _ in await repos.communities.list_for_user(user_id)]


async def get_invite(
    db: Database, settings: Settings, community: Community, user_id: int
) -> tuple[InviteLink | None, bool]:
    """Return the member's link if it still fits the community's gate (None: a new one is needed),
    and whether links to the community must ask for approval (the community approves joins)."""
    async with db.read() as repos:
        link = await repos.invite_links.get(community.id, user_id)
        wants_request = (await read_options(repos, community.id, settings.onboarding)).gate == "request"
    fits = link is not None and link.creates_join_request == wants_request
    return (link if fits else None), wants_request


async def do_keep_invite(db: Database, clock: Clock, link: InviteLink) -> None:
    """Store the member's new link (replacing an old one)."""
    async with db.transaction() as repos:
        await repos.invite_links.put(link, clock.now())


async def get_invite_counts(db: Database, community_id: int, user_id: int) -> InviteCounts:
    """Return how many joined and paid through the member's link."""
    async with db.read() as repos:
        joined, paid = await repos.referrals.counts(community_id, user_id)
    return InviteCounts(joined, paid)


def link_name(first_name: str) -> str:
    """The link's name as admins see it in Telegram: the member's name."""
    return first_name[:MAX_LINK_NAME]


async def attribute(repos: Repos, community_id: int, newcomer_id: int, invite_url: str | None,
                    first_time: bool, now: dt.datetime) -> bool:
    """Attribute a first-time newcomer to the owner of the link they came by; True when recorded."""
    if not invite_url or not first_time:
        return False
    link = await repos.invite_links.by_url(invite_url)
    if link is None or link.community_id != community_id or link.user_id == newcomer_id:
        return False
    return await repos.referrals.add(community_id, newcomer_id, link.user_id, now)


async def reward_referral(
    repos: Repos, scoring: Scoring, settings: Settings | None, community_id: int, newcomer_id: int, step: str,
    now: dt.datetime,
) -> None:
    """Reward the inviter for a newcomer's onboarding or first purchase, once per newcomer and step."""
    referral = await repos.referrals.get(community_id, newcomer_id)
    if referral is None or not await repos.referrals.mark(community_id, newcomer_id, step, now):
        return
    rules = await scoring.rules(repos, community_id)
    amount = rules.referral if step == ONBOARDED else rules.referral_purchase
    inviter = referral.inviter_id
    if amount > 0:
        grant = Grant(community_id, inviter, amount, "referral", f"referral:{step}:{community_id}:{newcomer_id}",
                      ref=f"user:{newcomer_id}")
        await award_points(repos, scoring, grant, now)
    newcomer = await repos.users.get(newcomer_id)
    community = await repos.communities.get(community_id)
    await queue_notice(
        repos, f"referral:{step}:{community_id}:{newcomer_id}", inviter,
        "referrals/onboarded" if step == ONBOARDED else "referrals/purchased", now, community_id=community_id,
        title=community.title if community else "", name=newcomer.first_name if newcomer else "", points=amount,
    )
    if step == PURCHASED and settings is not None:
        await _free_period(repos, settings, community_id, inviter, now)


async def _free_period(repos: Repos, settings: Settings, community_id: int, inviter: int, now: dt.datetime) -> None:
    """Every N-th paying newcomer gives the inviter 30 free days (N = referral_reward_after; 0: never)."""
    every = (await read_community_settings(repos, community_id, settings))["referral_reward_after"]
    if not every:
        return
    # Two of the inviter's newcomers paying at once: the inviter's row orders them, so each sees the
    # other's purchase (or not) and the N-th is counted once; the free period extends what the other set.
    await repos.users.lock(inviter)
    _, paid = await repos.referrals.counts(community_id, inviter)
    if not every or paid % every:
        return
    current = await repos.plans.membership(community_id, inviter)
    start = max(now, current.expires_at) if current is not None else now
    membership = await repos.plans.extend(community_id, inviter, current.plan_id if current else None,
                                          start + REWARD_PERIOD, now)
    community = await repos.communities.get(community_id)
    await queue_notice(
        repos, f"referral_reward:{community_id}:{inviter}:{paid}", inviter, "referrals/reward", now,
        community_id=community_id, title=community.title if community else "", count=paid,
        until=membership.expires_at.strftime("%Y-%m-%d"),
    )
