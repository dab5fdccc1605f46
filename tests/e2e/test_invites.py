"""Members' invite links: personal and reused, joins attributed, the inviter rewarded once per newcomer."""

from __future__ import annotations

import pytest

from tests.content.flows import invoice_for, publish
from tests.e2e.test_onboarding import onboard
from tests.fixtures import stored


pytestmark = pytest.mark.usefixtures("payload_secret")  # Stars buying on (tests/fixtures.py)


def link_calls(sim) -> int:
    return sum(1 for r in sim.requests if r["method"].lower() == "createchatinvitelink")


async def referral_keys(runner, community_id: int) -> list[str]:
    async with stored(runner.settings.storage.url) as repos:
        return sorted(k for k in await repos.ledger.keys(community_id) if k.startswith("referral:"))


async def test_a_join_through_a_members_link_rewards_them_once_for_onboarding_and_once_for_a_purchase(
    sim, runner, group, carol, alice, bob
) -> None:
    for user in (alice, bob):
        await user.start()
        await user.expect()
        await user.join(group)
    await runner.wait_processed(sim.last_update_id)
    await alice.send(None, "/invite")
    first = await alice.expect(contains="Your invite link")
    url = next(word for word in first.text.split() if word.startswith("https://t.me/+"))
    assert "0 joined, 0 paid" in first.text
    await alice.send(None, "/invite")
    assert url in (await alice.expect(contains="Your invite link")).text and link_calls(sim) == 1  # reused
    await alice.send(group, "/invite")
    await alice.expect(group, contains="in private")

    await bob.leave(group)  # a member before: coming back through Alice's link earns her nothing
    await bob.join_by_link(url)
    dave = sim.user("Dave", username="dave")
    dave.stars = 100
    await dave.join_by_link(url)
    await runner.wait_processed(sim.last_update_id)
    await onboard(sim, dave, group)
    assert "finished onboarding: +20 points" in (await alice.expect(contains="Dave")).text

    await carol.send(group, "/set referral_reward_after 1")  # every paying newcomer: 30 free days
    await carol.expect(group, contains="✅ Saved")
    item_id = await publish(carol, group, "SECRET-INVITE body", "10 | Invite guide | x")
    assert (await dave.pay(await invoice_for(dave, item_id))).ok
    await dave.expect(contains="SECRET-INVITE")
    assert "first purchase: +50 points" in (await alice.expect(contains="first purchase")).text
    free = await alice.expect(contains="your membership is free until")
    async with stored(runner.settings.storage.url) as repos:
        membership = await repos.plans.membership(group.id, alice.id)
    assert membership.expires_at.strftime("%Y-%m-%d") in free.text
    other = await publish(carol, group, "SECRET-SECOND body", "10 | Second guide | x")
    assert (await dave.pay(await invoice_for(dave, other))).ok  # a second purchase earns Alice nothing more
    await dave.expect(contains="SECRET-SECOND")
    await runner.wait_processed(sim.last_update_id)
    assert await referral_keys(runner, group.id) == [
        f"referral:onboarded_at:{group.id}:{dave.id}", f"referral:purchased_at:{group.id}:{dave.id}",
    ]
    await alice.send(None, "/invite")
    assert "1 joined, 1 paid" in (await alice.expect(contains="Your invite link")).text
    await carol.start()
    await carol.expect()
    await carol.send(None, "/stats")  # admins see the top inviters
    assert "Top inviters: Alice (1 joined, 1 paid)" in (await carol.expect(contains="Top inviters")).content


async def test_a_link_asks_for_approval_where_joins_are_approved_and_a_self_invite_earns_nothing(
    sim, runner, carol, alice
) -> None:
    group = sim.group("Closed Circle", owner=carol, supergroup=True, join_by_request=True)
    await group.add_bot(by=carol, admin=True)
    await carol.expect(group, contains="Hello")
    await carol.send(group, "/set gate request")
    await carol.expect(group, contains="✅ Saved. gate")
    await carol.start()
    await carol.expect()
    await carol.send(None, "/invite")
    url = next(w for w in (await carol.expect(contains="Your invite link")).text.split() if w.startswith("https://"))
    assert sim.invite_links[url].creates_join_request
    erin = sim.user("Erin", username="erin")
    await erin.join_by_link(url)  # a join request that names Carol's link
    onboarding = await erin.expect(contains="rules")
    await erin.press(onboarding, "I accept")
    await sim.wait_for(lambda: group.member(erin).active)
    assert "+20 points" in (await carol.expect(contains="Erin")).text
    async with stored(runner.settings.storage.url) as repos:
        assert (await repos.referrals.get(group.id, erin.id)).inviter_id == carol.id
        assert await repos.referrals.get(group.id, carol.id) is None
