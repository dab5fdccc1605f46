"""Memberships that end (SPEC §6).

A membership that will not renew (its renewal was cancelled or failed) earns a reminder three
days ahead, with the morning digest. When a membership ends the member is told once, with a
renew button. Where joining needs a plan (gate `request` and plans on sale) a member who has
not renewed `grace_hours` later is removed; renewing brings them back with a single-use
invite link. Telegram's `subscription` update (Bot API 10.2) says when a renewal is
cancelled, re-enabled or failed.

A lapse moves through steps stored on the membership, each step one transaction, so a
restart or a second pass repeats nothing: none → `notified` (told; removal pending) or
`ended` (told; nothing to remove) → `removing` → `removed` (or `kept`: the bot may not).
"""

from __future__ import annotations

import datetime as dt
import logging

from bot.clock import Clock
from bot.config import Settings
from bot.payload import verify_order
from bot.schedule import local_now
from bot.services.community_options import read_options
from bot.services.notices import queue_notice
from bot.services.reminders import MEMBER_KEYS, remind, split
from bot.services.runs import REMIND_EXPIRING, WEEK, Composed, RunContext, after_quiet_hours
from bot.services.settings import read_community_settings, read_member_settings
from storage.db import Database
from storage.models_content import PaidMembership
from storage.repos import Repos

log = logging.getLogger(__name__)

EXPIRING_AHEAD = dt.timedelta(days=3)  # how far ahead a membership that won't renew is flagged
RENEWAL_SETTLE = dt.timedelta(hours=1)  # a renewing membership counts as ended once its renewal is this late
TELL_WITHIN = dt.timedelta(days=7)  # memberships that ended longer ago are not told (a first start, say)
MAX_GRACE = dt.timedelta(hours=720)  # the largest grace_hours a community may set
REJOIN_LINK_TTL = dt.timedelta(days=7)
RENEWAL_STATES = {"canceled": "canceled", "active": "on", "failed": "failed"}  # subscription.state → renewal
STATE_NOTICES = {"canceled": "memberships/renewal_canceled", "active": "memberships/renewal_active",
                 "failed": "memberships/renewal_failed"}


def _local(moment: dt.datetime, timezone: str) -> str:
    return local_now(moment, timezone).strftime("%Y-%m-%d %H:%M")


async def plan_required(repos: Repos, settings: Settings, community_id: int) -> bool:
    """Tell whether joining the community needs a running plan (gate `request`, plans on sale)."""
    options = await read_options(repos, community_id, settings.onboarding)
    return options.gate == "request" and bool(await repos.plans.active(community_id))


# --- three days ahead: a reminder, with the morning digest ---------------------------------


async def compose_expiring(repos: Repos, run: RunContext) -> tuple[list[Composed], int]:
    """Members whose membership ends within 3 days and will not renew: one reminder per ending."""
    community, now = run.community, run.now
    ending = await repos.plans.ending(community.id, now, now + EXPIRING_AHEAD)
    if not ending:
        return [], 0
    recipients = {m.user_id: m for m in await repos.digests.recipients(community.id, MEMBER_KEYS)}
    sent = await repos.digests.reminders_since(community.id, now - WEEK)
    return split([
        remind(run, recipients[m.user_id], sent, REMIND_EXPIRING, m.expires_at.isoformat(),
               {"until": _local(m.expires_at, community.timezone), "renewal": m.renewal})
        for m in ending if m.user_id in recipients
    ])


# --- at the end: told once; where a plan is needed, removed after the grace period ----------


async def do_tell_lapses(db: Database, clock: Clock, settings: Settings) -> int:
    """Tell members whose membership just ended (once each), with when they will be removed, if they will."""
    now = clock.now()
    told = 0
    async with db.transaction() as repos:
        for membership in await repos.plans.lapsed(now - TELL_WITHIN, now, None):
            if membership.renewal == "on" and membership.expires_at > now - RENEWAL_SETTLE:
                continue  # Telegram may still be charging the renewal
            told += await _tell_lapse(repos, settings, membership, now)
    return told


async def _tell_lapse(repos: Repos, settings: Settings, membership: PaidMembership, now: dt.datetime) -> int:
    community_id, user_id = membership.community_id, membership.user_id
    community = await repos.communities.get(community_id)
    if community is None or not community.is_active:
        return 0
    removable = await plan_required(repos, settings, community_id) and await _removable(repos, community_id, user_id)
    step = "notified" if removable else "ended"
    if not await repos.plans.move_lapse(community_id, user_id, None, step, membership.expires_at, now):
        return 0
    grace = dt.timedelta(hours=(await read_community_settings(repos, community_id, settings))["grace_hours"])
    member = await read_member_settings(repos, user_id, settings)
    await queue_notice(
        repos, f"lapse:{community_id}:{user_id}:{membership.expires_at.isoformat()}", user_id,
        "memberships/ended", now, community_id=community_id,
        not_before=after_quiet_hours(member["quiet_hours"], local_now(now, community.timezone)),
        community=community_id, title=community.title, until=_local(membership.expires_at, community.timezone),
        remove_at=_local(max(membership.expires_at + grace, now), community.timezone) if removable else None,
    )
    return 1


async def _removable(repos: Repos, community_id: int, user_id: int) -> bool:
    """Tell whether the member is in the group and not one of its admins."""
    member = await repos.memberships.get(community_id, user_id)
    return member is not None and member.is_active and not member.is_admin


async def get_due_lapses(db: Database, clock: Clock, settings: Settings) -> list[tuple[int, int]]:
    """Return (community, member) to remove: told, grace period over, still not renewed."""
    now = clock.now()
    due: list[tuple[int, int]] = []
    async with db.read() as repos:
        graces: dict[int, dt.timedelta] = {}
        for step in ("notified", "removing"):
            for membership in await repos.plans.lapsed(now - TELL_WITHIN - MAX_GRACE, now, step):
                cid = membership.community_id
                if cid not in graces:
                    hours = (await read_community_settings(repos, cid, settings))["grace_hours"]
                    graces[cid] = dt.timedelta(hours=hours)
                if membership.expires_at + graces[cid] <= now:
                    due.append((cid, membership.user_id))
    return due


async def do_claim_lapse(db: Database, clock: Clock, settings: Settings, community_id: int, user_id: int) -> bool:
    """Take a lapsed member for removal; False when they renewed, left or became an admin meanwhile."""
    now = clock.now()
    async with db.transaction() as repos:
        hours = (await read_community_settings(repos, community_id, settings))["grace_hours"]
        ended_by = now - dt.timedelta(hours=hours)
        if not await _removable(repos, community_id, user_id):
            # Gone already (or an admin now): nothing to remove; a renewal still brings them back.
            for step in ("notified", "removing"):
                await repos.plans.move_lapse(community_id, user_id, step, "removed", ended_by, now)
            return False
        claimed = False
        for step in ("notified", "removing"):
            claimed = claimed or await repos.plans.move_lapse(community_id, user_id, step, "removing", ended_by, now)
        return claimed


async def do_finish_lapse(db: Database, clock: Clock, community_id: int, user_id: int, removed: bool | None) -> None:
    """Record a removal (and tell the member how to come back), give a passing failure back, or keep them."""
    now = clock.now()
    async with db.transaction() as repos:
        membership = await repos.plans.membership(community_id, user_id)
        if membership is None or membership.lapse != "removing":
            return  # renewed meanwhile: the renewal sent them a way back in
        if removed is None:
            await repos.plans.move_lapse(community_id, user_id, "removing", "notified", now, now)
            return
        await repos.plans.move_lapse(community_id, user_id, "removing", "removed" if removed else "kept", now, now)
        if not removed:
            log.warning("could not remove %s from %s after their membership ended", user_id, community_id)
            return
        await repos.memberships.set_status(community_id, user_id, "left", now)
        community = await repos.communities.get(community_id)
        await queue_notice(
            repos, f"lapse_removed:{community_id}:{user_id}:{membership.expires_at.isoformat()}", user_id,
            "memberships/removed", now, community_id=community_id, community=community_id,
            title=community.title if community else "",
        )


# --- renewal: back in, and what Telegram says about the subscription ------------------------


async def do_queue_rejoin(
    db: Database, clock: Clock, community_id: int, user_id: int, key: str, link: str | None
) -> None:
    """Tell a renewed member who had been removed how to come back: their single-use link, or a join request."""
    now = clock.now()
    async with db.transaction() as repos:
        community = await repos.communities.get(community_id)
        await queue_notice(repos, f"rejoin:{key}", user_id, "memberships/rejoin", now, community_id=community_id,
                           title=community.title if community else "", link=link)


async def do_record_subscription_state(
    db: Database, clock: Clock, secret: bytes | None, user_id: int, payload: str, state: str
) -> bool:
    """Record what Telegram says of a subscription's renewal and tell the member; False when it matches no plan."""
    renewal = RENEWAL_STATES.get(state)
    order_id = verify_order(payload, secret)
    if renewal is None or order_id is None:
        return False
    now = clock.now()
    async with db.transaction() as repos:
        order = await repos.orders.get(order_id)
        if order is None or order.kind != "plan" or order.user_id != user_id:
            return False
        membership = await repos.plans.membership(order.community_id, user_id)
        if membership is None or not await repos.plans.set_renewal(order.community_id, user_id, renewal, now):
            return False
        community = await repos.communities.get(order.community_id)
        timezone = community.timezone if community else "UTC"
        await queue_notice(
            repos, f"renewal:{order.community_id}:{user_id}:{state}:{membership.expires_at.isoformat()}", user_id,
            STATE_NOTICES[state], now, community_id=order.community_id, community=order.community_id,
            title=community.title if community else "", until=_local(membership.expires_at, timezone),
        )
    log.info("subscription of %s to %s: %s", user_id, order.community_id, state)
    return True
