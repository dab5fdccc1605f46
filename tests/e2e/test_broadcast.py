"""/broadcast: previewed in private, sent once through the outbox to members who want it, cancellable."""

from __future__ import annotations

from bot.runner import BotRunner
from jobs.broadcasts import BROADCAST_JOB
from tests.fixtures import run_job, stored


async def _progress(runner: BotRunner) -> None:
    """Let the outbox send what is queued, then run the real progress job once."""
    await runner.app.bot_data.outbox.idle()
    await run_job(runner, BROADCAST_JOB)


async def broadcasts_to(runner: BotRunner, user_id: int) -> list[str]:
    async with stored(runner.settings.storage.url) as repos:
        return [m.status for m in await repos.outbox.list_for_chat(user_id) if m.kind == "console/broadcast"]


async def test_a_broadcast_is_previewed_sent_once_to_those_who_want_it_and_reported(
    sim, runner, group, carol, alice, bob
) -> None:
    dave, erin = sim.user("Dave", username="dave"), sim.user("Erin", username="erin")
    for user in (alice, bob, erin, carol):
        await user.start()
        await user.expect()
    for user in (alice, bob, dave, erin):  # Dave never started the bot: nothing can reach him
        await user.join(group)
    await erin.send(erin, "/set broadcasts off")
    await erin.expect(contains="✅")
    await carol.send(group, "/broadcast Live Q&A <tonight> at 20:00\nBring questions!")
    await carol.expect(group, contains="Sent to you in private")
    preview = await carol.expect(contains="Preview of a broadcast")
    assert "to 2 members" in preview.text and "Live Q&A <tonight> at 20:00\nBring questions!" in preview.text
    assert preview.button_texts == ["Send to 2 members", "Cancel"]
    assert await broadcasts_to(runner, alice.id) == []  # nothing goes out before Send

    forged = await alice.press_data(preview, preview.buttons[0]["callback_data"])  # not her message
    assert forged.show_alert
    await carol.press(preview, "Send to 2 members")
    received = {}
    for user in (alice, bob):
        received[user.id] = await user.expect(contains="Live Q&A")
        assert received[user.id].text.startswith("📣 Python Circle")
    assert received[alice.id].button_texts == ["Stop these"] and received[bob.id].button_texts == ["不再接收"]
    await _progress(runner)
    assert "Broadcast sent: 2 / 2" in preview.text and "0 unreachable" in preview.text
    assert preview.button_texts == []
    await runner.wait_processed(sim.last_update_id)
    for user in (dave, erin, carol):
        assert await broadcasts_to(runner, user.id) == []
    assert await broadcasts_to(runner, alice.id) == ["sent"]
    stopped = await alice.press(received[alice.id], "Stop these")
    assert stopped.show_alert and "/set broadcasts on" in stopped.text
    async with stored(runner.settings.storage.url) as repos:
        actions = [e.action for e in await repos.audit.list(group.id)]
    assert actions == ["broadcast.send"]


async def test_a_cancelled_broadcast_reaches_nobody_and_send_after_cancel_does_nothing(
    sim, runner, group, carol, alice
) -> None:
    for user in (alice, carol):
        await user.start()
        await user.expect()
    await alice.join(group)
    await carol.send(None, "/broadcast")
    await carol.expect(contains="Usage: /broadcast")
    await carol.send(None, "/broadcast " + "x" * 3501)
    await carol.expect(contains="at most 3500 characters")
    await carol.send(None, "/broadcast Never mind")
    preview = await carol.expect(contains="Preview of a broadcast")
    send_data = preview.buttons[0]["callback_data"]
    await carol.press(preview, "Cancel")
    await sim.wait_for(lambda: "cancelled" in preview.text)
    again = await carol.press_data(preview, send_data)  # the Send button is gone: refused
    assert again.show_alert
    await runner.wait_processed(sim.last_update_id)
    assert await broadcasts_to(runner, alice.id) == []
