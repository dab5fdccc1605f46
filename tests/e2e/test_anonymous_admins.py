"""Anonymous admins (posting as the group) act as admins where the rules allow, and never earn."""

from __future__ import annotations

from tests.fixtures import stored

LONG = "A message long enough to earn a point, if its sender could earn at all."


async def test_an_anonymous_admin_never_earns_and_still_acts_as_admin(sim, runner, group, carol, alice) -> None:
    await alice.join(group)
    await carol.send_anonymously(group, LONG)
    await carol.send_anonymously(group, "/checkin")
    assert "anonymous admins don't earn" in (await carol.expect(group, contains="posting as the group")).text
    await carol.send_anonymously(group, "/ask How do I reset my password when I forgot it?")
    await carol.expect(group, contains="posting as the group")
    await carol.send_anonymously(group, "/award @alice 5 for the welcome post")  # admins may award
    await carol.expect(group, contains="@alice got +5")
    await runner.wait_processed(sim.last_update_id)
    await runner.app.bot_data.points_writer.flush()
    async with stored(runner.settings.storage.url) as repos:
        ledger = await repos.ledger.sums(group.id)
        assert set(ledger) == {alice.id}  # nobody but Alice has points: not "Group", not Carol
        assert await repos.questions.count_open(group.id) == 0
    await alice.send(group, "/top")
    board = await alice.expect(group, contains="Top members")
    assert "Group" not in board.text
