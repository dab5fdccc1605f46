"""Demo scene: the creator's console — revenue, stats with a chart, exports, the audit log, a broadcast."""

from __future__ import annotations

from pathlib import Path

from bot.demo_cast import Cast
from jobs.broadcasts import BROADCAST_JOB

CHART = Path("circlebot-demo-stats.png")  # the /stats chart, written next to where the transcript is printed


async def scene_console(cast: Cast) -> None:
    """/revenue in the group goes to Carol in private; /audit; a broadcast previewed, sent, reported."""
    sim, runner, carol, alice, bob, group = cast.sim, cast.runner, cast.carol, cast.alice, cast.bob, cast.group
    await carol.send(group, "/revenue")  # buyers and charge ids: only in private
    await carol.expect(group, contains="Sent to you in private")
    await carol.expect(contains="Revenue")
    await carol.send(None, "/stats 7d")
    chart = await carol.expect(contains="Members")
    CHART.write_bytes(sim.world.files[chart.meta["file"]].data)
    await carol.send(None, "/export members")
    await carol.expect(contains="members")
    await carol.send(None, "/audit")
    await carol.expect(contains="admin actions")
    await carol.send(None, "/broadcast Live Q&A tonight at 20:00 in the group. Bring your asyncio questions!")
    preview = await carol.expect(contains="Preview of a broadcast")
    await carol.press(preview, "Send to")
    await alice.expect(contains="Live Q&A")
    await bob.expect(contains="Live Q&A")
    app = runner.app
    await app.bot_data.outbox.idle()
    (job,) = app.job_queue.get_jobs_by_name(BROADCAST_JOB)
    await job.run(app)  # the preview now says how it went
    await sim.wait_for(lambda: "Broadcast sent" in preview.text)
