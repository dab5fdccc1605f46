"""Demo scene: points from chatting and reactions, a check-in, a level-up, /top and /me."""

from __future__ import annotations

from bot.demo_cast import Cast

# PTB's rate limiter may hold group replies for a few seconds late in the demo.
WAIT = 30.0


async def scene_points(cast: Cast) -> None:
    """Members earn points, Carol awards some (a level-up is announced), everyone checks the board."""
    sim, runner, carol, alice, bob, group = cast.sim, cast.runner, cast.carol, cast.alice, cast.bob, cast.group
    tip = await alice.send(group, "Tip: `python -X importtime` shows which imports slow your start-up down.")
    await bob.react(tip, "👍")  # +1 to Alice: a reaction from another member
    await alice.react(tip, "🔥")  # self-reactions earn nothing
    await bob.send(group, "Nice one, that saved me ten minutes of guessing today!")
    await alice.send(group, "/checkin")
    await alice.expect(group, contains="Checked in", timeout=WAIT)

    # Award exactly what Alice lacks for her next level, so the announcement shows.
    state = runner.app.bot_data
    await runner.wait_processed(sim.last_update_id)
    await state.points_writer.flush()
    async with state.db.read() as repos:
        member = await repos.points.member(group.id, alice.id)
    score = member.score if member else 0
    next_at = next((t for t in state.settings.points.levels if t > score), None)
    gift = next_at - score if next_at is not None else 10
    await carol.send(group, f"/award @alice {gift} for the best tip of the week")
    await carol.expect(group, contains=f"+{gift}", timeout=WAIT)
    if next_at is not None:
        await alice.expect(group, contains="reached level", timeout=WAIT)

    await bob.send(group, "/award @alice 1000 because I said so")  # a member: refused
    await bob.expect(group, contains="admins", timeout=WAIT)
    await alice.send(group, "/top")
    await alice.expect(group, contains="Top members", timeout=WAIT)
    await carol.send(group, "/top all")
    await carol.expect(group, contains="all time", timeout=WAIT)
    await alice.send(group, "/me")
    await alice.expect(group, contains="Level", timeout=WAIT)
    await bob.send(None, "/me")
    await bob.expect(None, contains="等级", timeout=WAIT)
