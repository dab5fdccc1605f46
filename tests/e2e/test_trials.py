"""Free trials: once per person and community, the membership's access, a reminder before the end."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.content.flows import card, publish
from tests.e2e.test_memberships import kinds_sent_to, settings  # noqa: F401 (a fixture)
from tests.fixtures import run_job, stored
from jobs.engagement import ENGAGEMENT_JOB
from jobs.memberships import LAPSES_JOB

pytestmark = pytest.mark.usefixtures("payload_secret")  # Stars buying on (tests/fixtures.py)


async def test_a_trial_opens_members_content_once_and_is_flagged_before_it_ends(
    sim, runner, clock, group, carol, alice
) -> None:
    await carol.send(group, "/plan add Gold 300 trial=7")
    assert "try it free for 7 days" in (await carol.expect(group, contains="🎁")).text
    item_id = await publish(carol, group, "SECRET-MEMBERS body", "0 | Members talk | x | members")
    await alice.start()
    await alice.expect()
    await alice.join(group)
    await runner.wait_processed(sim.last_update_id)
    await alice.send(None, "/subscribe")
    plans = await alice.expect(contains="Memberships")
    assert "🎁 Try Gold 7 days free" in plans.button_texts
    await alice.press(plans, "Try Gold")
    started = await alice.expect(contains="free trial")
    until = (clock.now() + dt.timedelta(days=7)).strftime("%Y-%m-%d")
    assert until in started.text
    opened = await alice.press(await card(alice, item_id), "Open")
    assert not opened.show_alert
    await alice.expect(contains="SECRET-MEMBERS")
    again = await alice.press(plans, "Try Gold")  # the old button, a second time
    assert again.show_alert and "already runs" in again.text

    async with stored(runner.settings.storage.url) as repos:
        ends = (await repos.plans.membership(group.id, alice.id)).expires_at
    await alice.leave(group)  # leaving and coming back does not give a second trial
    await alice.join(group)
    await runner.wait_processed(sim.last_update_id)
    clock.set(ends.replace(hour=9, minute=30) - dt.timedelta(days=2))
    await run_job(runner, ENGAGEMENT_JOB)
    soon = await alice.expect(contains="Your free trial")
    assert "⭐ Renew" in soon.button_texts
    clock.set(ends + dt.timedelta(minutes=1))
    await run_job(runner, LAPSES_JOB)
    await alice.expect(contains="ended on")
    await alice.send(None, "/subscribe")
    after = await alice.expect(contains="Memberships")
    assert not any("Try" in text for text in after.button_texts)
    refused = await alice.press(plans, "Try Gold")
    assert refused.show_alert and "already had your free trial" in refused.text
    assert await kinds_sent_to(runner, alice.id) == ["reminders/expiring", "memberships/ended"]
