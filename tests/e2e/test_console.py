"""The creator's console: admin commands in private on the picked community, member data only in private."""

from __future__ import annotations

import pytest

from tests.content.flows import invoice_for, publish
from tests.fixtures import stored

ADMIN_COMMANDS = (
    "/plan add Gold 10", "/refund stx1", "/revenue", "/award @bob_builder 5 thanks", "/deduct @bob_builder 5 x",
    "/digest stats", "/faq add Why? | Because.", "/settings", "/set gate rules", "/audit",
)


pytestmark = pytest.mark.usefixtures("payload_secret")  # Stars buying on (tests/fixtures.py)


async def _started(*users) -> None:
    for user in users:
        await user.start()
        await user.expect()


async def test_a_member_gets_admins_only_for_every_admin_command_in_both_chats(
    sim, runner, group, alice, bob, carol
) -> None:
    await _started(alice, bob)
    for user in (alice, bob):
        await user.join(group)
    for text in ADMIN_COMMANDS:
        await alice.send(group, text)
        await alice.expect(group, contains="Only the community's admins")
        # In private /settings and /set are the member's own; `group` names the community's.
        private = {"/set gate rules": "/set group gate rules", "/settings": "/settings group"}.get(text, text)
        await alice.send(None, private)
        assert "Only the community's admins" in (await alice.expect()).text, private
    await runner.wait_processed(sim.last_update_id)
    async with stored(runner.settings.storage.url) as repos:
        assert await repos.plans.active(group.id) == [] and await repos.audit.count(group.id) == 0
        assert await repos.faq.count(group.id) == 0


async def test_a_creator_of_two_communities_picks_one_and_switches(sim, runner, group, carol, alice) -> None:
    other = sim.group("Go Circle", owner=carol)
    await other.add_bot(by=carol, admin=True)
    await carol.expect(other, contains="Hello")
    await _started(carol)
    await carol.send(None, "/plan add Gold 100")
    picker = await carol.expect(contains="several communities")
    assert sorted(picker.button_texts) == ["Go Circle", "Python Circle"]
    forged = await alice.press_data(picker, f"cm:{other.id}")  # someone else's press: refused
    assert forged.show_alert
    await carol.press(picker, "Go Circle")
    await sim.wait_for(lambda: "now work on Go Circle" in picker.text)
    await carol.send(None, "/plan add Gold 100")
    await carol.expect(contains="Plan #1")
    await carol.send(None, "/community")
    switch = await carol.expect(contains="work on")
    assert "✅ Go Circle" in switch.button_texts
    await carol.press(switch, "Python Circle")
    await carol.send(None, "/plan list")
    await carol.expect(contains="No plans yet")  # Python Circle's, not Go Circle's
    await carol.send(None, "/set group welcome Hello from private!")
    await carol.expect(contains="✅ Saved")
    await carol.send(None, "/settings group")
    assert "Python Circle" in (await carol.expect(contains="Settings of")).text
    async with stored(runner.settings.storage.url) as repos:
        assert [p.name for p in await repos.plans.active(other.id)] == ["Gold"]
        assert await repos.plans.active(group.id) == []
        assert await repos.settings.get(group.id, "welcome") == "Hello from private!"


async def test_refund_and_audit_work_in_private_and_the_group_sees_no_member_data(
    sim, runner, group, carol, alice
) -> None:
    await _started(alice)
    await alice.join(group)
    alice.stars = 100
    item_id = await publish(carol, group, "SECRET-AUDIT body", "50 | Audit guide | x")
    paid = await alice.pay(await invoice_for(alice, item_id))
    await alice.expect(contains="SECRET-AUDIT")
    await _started(carol)
    await carol.send(None, f"/refund {paid.charge_id}")
    assert "Alice" in (await carol.expect(contains="Refunded")).text
    for n in range(11):  # more than a page of audit entries
        await carol.send(group, f"/set gate_timeout {10 + n}")
        await carol.expect(group, contains="✅ Saved")
    await carol.send(group, "/audit")
    await carol.expect(group, contains="Sent to you in private")
    first = await carol.expect(contains="admin actions")
    assert "1–10 of 13" in first.text and "changed setting gate_timeout" in first.text
    assert first.button_texts == ["Older ›"]
    forged = await alice.press_data(first, f"au:{group.id}:10")
    assert forged.show_alert
    await carol.press(first, "Older ›")
    older = await sim.wait_for(lambda: "11–13 of 13" in first.text and first)
    assert "refunded a payment of Alice" in older.text and "published an item" in older.text
    group_texts = " ".join(m.text for m in sim.bot_messages(group))
    assert paid.charge_id not in group_texts and "refunded a payment" not in group_texts
