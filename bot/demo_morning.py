"""Demo scene: Sunday evening's streak reminder, then Monday — digests, the weekly group digest, the board."""

from __future__ import annotations

import datetime as dt

from bot.demo_cast import Cast
from jobs.engagement import ENGAGEMENT_JOB

# The demo's story starts on a Saturday afternoon (UTC, the community's zone): see bot/demo.py.
START = dt.datetime(2026, 1, 3, 14, 0, tzinfo=dt.UTC)
SUNDAY_EVENING = dt.datetime(2026, 1, 4, 19, 0, tzinfo=dt.UTC)
MONDAY_DIGESTS = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
MONDAY_BOARD = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)


async def _sweep(cast: Cast) -> None:
    """Run the scheduled engagement job now (it also runs every minute on its own)."""
    app = cast.runner.app
    (job,) = app.job_queue.get_jobs_by_name(ENGAGEMENT_JOB)
    await job.run(app)
    await app.bot_data.outbox.idle()


async def scene_morning(cast: Cast) -> None:
    """Sunday 19:00 Alice's streak is at risk; Carol posts a cheat sheet; Monday 09:00 digests, 10:00 the board."""
    sim, runner, carol, alice, bob, group = cast.sim, cast.runner, cast.carol, cast.alice, cast.bob, cast.group
    cast.clock.set(SUNDAY_EVENING)
    await _sweep(cast)  # Alice checked in on Saturday, not yet on Sunday
    await alice.expect(contains="ends at midnight")
    sheet = await carol.send(group, "Cheat sheet: the five asyncio calls you need every day, with one example each.")
    await carol.reply(sheet, "/publish 0 | Asyncio cheat sheet | python")
    await carol.expect(group, contains="New in the catalog")
    await runner.wait_processed(sim.last_update_id)
    cast.clock.set(MONDAY_DIGESTS)
    await _sweep(cast)
    await alice.expect(contains="Your digest")
    await bob.expect(contains="每日摘要")
    await carol.expect(group, contains="This week's digest")
    cast.clock.set(MONDAY_BOARD)
    await _sweep(cast)
    await carol.expect(group, contains="Top of the week")
