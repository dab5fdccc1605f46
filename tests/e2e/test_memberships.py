"""Memberships that end: renewal cancelled or failed, a reminder 3 days ahead, the notice at the end,
removal after the grace period where joining needs a plan, and a single-use link back in on renewal."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.runner import BotRunner
from jobs.engagement import ENGAGEMENT_JOB
from jobs.memberships import LAPSES_JOB
from tests.fixtures import make_settings, run_job, stored

DAY = dt.timedelta(days=1)


pytestmark = pytest.mark.usefixtures("payload_secret")  # Stars buying on (tests/fixtures.py)


@pytest.fixture
def settings(sim, db_urls):
    """The periodic passes run at start and then only when a test runs them."""
    return make_settings(sim, db_urls("bot.db"), engagement={"check_interval": 3600},
                         telegram={"group_max_rate": 1000})


async def kinds_sent_to(runner: BotRunner, user_id: int) -> list[str]:
    async with stored(runner.settings.storage.url) as repos:
        return [m.kind for m in await repos.outbox.list_for_chat(user_id)
                if m.kind.startswith(("memberships/", "reminders/expiring"))]


async def subscribe(sim, runner, alice, community_id: int) -> dt.datetime:
    """Open the community's plans from a /start link, take the first, pay; return the expiry (any language)."""
    await alice.start(f"sub_{community_id}")
    plans = await alice.expect(contains="⭐")
    await alice.press(plans, "Gold")
    link = (await alice.expect(contains="⭐ 100")).buttons[0]["url"]
    paid = await alice.pay(link)
    assert paid.ok, paid.error_message
    await alice.expect(contains="⭐ 100")  # the thank-you
    await runner.wait_processed(sim.last_update_id)
    return dt.datetime.fromtimestamp(paid.message.extra["successful_payment"]["subscription_expiration_date"], dt.UTC)


@pytest.fixture
async def closed(sim, runner, carol, alice):
    """A group that needs a plan to join (gate=request, a plan on sale), with Alice in it through a plan."""
    group = sim.group("Closed Circle", owner=carol, supergroup=True, join_by_request=True)
    await group.add_bot(by=carol, admin=True)
    await carol.expect(group, contains="Hello")
    for command, reply in (("/set gate request", "✅ Saved. gate"), ("/plan add Gold 100", "Plan #1")):
        await carol.send(group, command)
        await carol.expect(group, contains=reply)
    alice.stars = 1000
    await alice.join(group)  # a join request
    onboarding = await alice.expect(contains="rules")
    await alice.press(onboarding, "I accept")
    offer = await alice.expect(contains="for members with a plan")
    await alice.press(offer, "Gold")
    link = (await alice.expect(contains="subscribe to")).buttons[0]["url"]
    assert (await alice.pay(link)).ok
    await sim.wait_for(lambda: group.member(alice).active)
    await runner.wait_processed(sim.last_update_id)
    return group


async def test_a_cancelled_membership_is_flagged_told_removed_after_grace_and_let_back_on_renewal(
    sim, runner, clock, closed, alice
) -> None:
    async with stored(runner.settings.storage.url) as repos:
        expires = (await repos.plans.membership(closed.id, alice.id)).expires_at
    await alice.set_subscription("canceled")  # in Telegram's settings: the bot hears of it
    cancelled = await alice.expect(contains="is cancelled")
    assert expires.strftime("%Y-%m-%d") in cancelled.text and "⭐ Renew" in cancelled.button_texts

    clock.set(expires.replace(hour=9, minute=30) - 3 * DAY)  # the morning run, three days ahead
    await run_job(runner, ENGAGEMENT_JOB)
    soon = await alice.expect(contains="you cancelled its renewal")
    assert soon.button_texts == ["⭐ Renew", "Stop these reminders"]
    await run_job(runner, ENGAGEMENT_JOB)  # the same morning again: nothing new

    clock.set(expires + dt.timedelta(minutes=5))
    await run_job(runner, LAPSES_JOB)
    ended = await alice.expect(contains="ended on")
    remove_at = (expires + dt.timedelta(hours=48)).strftime("%Y-%m-%d %H:%M")
    assert f"renew before {remove_at}" in ended.text and closed.member(alice).active
    clock.set(expires + dt.timedelta(hours=47))
    await run_job(runner, LAPSES_JOB)  # told once; still inside the grace period
    assert closed.member(alice).active
    clock.set(expires + dt.timedelta(hours=48, minutes=1))
    await run_job(runner, LAPSES_JOB)
    await run_job(runner, LAPSES_JOB)  # a second pass removes nothing twice
    assert closed.member(alice).status == "left"
    removed = await alice.expect(contains="you were removed")
    assert await kinds_sent_to(runner, alice.id) == [
        "memberships/renewal_canceled", "reminders/expiring", "memberships/ended", "memberships/removed",
    ]

    assert removed.buttons[0]["url"].endswith(f"start=sub_{closed.id}")  # the Renew button opens the plans
    await subscribe(sim, runner, alice, closed.id)
    back = await alice.expect(contains="Welcome back")
    await alice.join_by_link(back.buttons[0]["url"])  # a single-use link: no join request needed
    assert closed.member(alice).active
    async with stored(runner.settings.storage.url) as repos:
        membership = await repos.plans.membership(closed.id, alice.id)
    assert membership.lapse is None and membership.renewal == "on" and membership.expires_at > clock.now()


async def test_a_renewing_membership_is_not_flagged_and_a_failed_renewal_ends_it_without_removal(
    sim, runner, clock, group, carol, alice, bob
) -> None:
    await carol.send(group, "/plan add Gold 100")
    await carol.expect(group, contains="Plan #1")
    for user in (alice, bob):
        await user.join(group)
        user.stars = 150  # enough for one month
    await runner.wait_processed(sim.last_update_id)
    expires = await subscribe(sim, runner, alice, group.id)
    await subscribe(sim, runner, bob, group.id)
    await bob.set_subscription("canceled")
    await bob.expect(contains="取消")  # Bob reads Chinese
    cancel = max(u for u, e in sim.updates.all.items() if e.kind == "subscription")
    await runner.wait_processed(max(sim.duplicate_update(cancel, times=2)))  # delivered again: told once
    await bob.send(bob, "/set reminders.expiring off")
    await bob.expect(contains="✅")

    clock.set(expires.replace(hour=9, minute=30) - 2 * DAY)
    await run_job(runner, ENGAGEMENT_JOB)  # Alice renews by herself; Bob turned these reminders off
    assert await kinds_sent_to(runner, alice.id) == []
    assert await kinds_sent_to(runner, bob.id) == ["memberships/renewal_canceled"]

    clock.set(expires)
    renewal = await sim.renew_subscription(alice)  # 50 Stars left: Telegram's charge fails
    assert not renewal.ok
    failed = await alice.expect(contains="renewal payment")
    assert "⭐ Renew" in failed.button_texts
    clock.set(expires + dt.timedelta(minutes=10))
    await run_job(runner, LAPSES_JOB)
    ended = await alice.expect(contains="ended on")
    assert "Members-only content is locked" in ended.text
    clock.set(expires + dt.timedelta(days=5))
    await run_job(runner, LAPSES_JOB)  # no plan is needed to join here: nobody is removed
    assert group.member(alice).active and group.member(bob).active
    assert await kinds_sent_to(runner, alice.id) == ["memberships/renewal_failed", "memberships/ended"]
