"""Demo scene: a question answered by reply, accepted, then found again by others."""

from __future__ import annotations

from bot.demo_cast import Cast

# Telegram allows a bot about 20 messages a minute in one group (PTB's rate limiter keeps to
# it), and by now the demo group has used its burst: replies can take a few seconds.
WAIT = 30.0


async def scene_qa(cast: Cast) -> None:
    """Alice asks, Bob answers, Alice accepts; a near-duplicate gets a suggestion, a FAQ answers itself."""
    sim, carol, alice, bob, group = cast.sim, cast.carol, cast.alice, cast.bob, cast.group
    await carol.send(group, "/faq add How do I reset my password? | Send /reset to me in a private chat.")
    await carol.expect(group, contains="Added FAQ", timeout=WAIT)

    await alice.send(group, "/ask How do I stop SQLite saying 'database is locked' when two writers run?")
    post = await alice.expect(group, contains="Q#1", timeout=WAIT)
    answer = await bob.reply(post, "Turn on WAL mode and set busy_timeout: the second writer waits instead of failing.")
    await alice.expect(None, contains="Q#1", timeout=WAIT)  # the private note about the new answer
    await alice.reply(answer, "/accept")
    await alice.expect(group, contains="Q#1 is solved", timeout=WAIT)
    await sim.wait_for(lambda: "Solved" in post.content, WAIT)

    await carol.send(group, "/ask Why does SQLite say the database is locked with two writers?")
    similar = await carol.expect(group, contains="Q#2", timeout=WAIT)
    if similar.buttons:
        await carol.press(similar, "Q#1", timeout=WAIT)

    await bob.send(group, "/ask How do I reset my password?")
    await bob.expect(group, contains="Q#3", timeout=WAIT)
    offer = await bob.expect(group, contains="Did this answer", timeout=WAIT)
    await bob.press(offer, "Yes", timeout=WAIT)
    await sim.wait_for(lambda: "Marked as solved" in offer.content, WAIT)

    await alice.send(group, "/search sqlite locked")
    await alice.expect(group, contains="Results", timeout=WAIT)
