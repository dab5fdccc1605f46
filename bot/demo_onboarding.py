"""Demo scene: admins set up joining; a newcomer is welcomed, gated, and onboards in private."""

from __future__ import annotations

from bot.demo_cast import Cast
from tgsim.world import MessageRecord

# The welcome is batched: it comes config's onboarding.welcome_delay seconds after a join.
WELCOME_TIMEOUT = 30.0


async def scene_onboarding(cast: Cast) -> None:
    """Carol sets tags, rules and the rules gate; Dave joins, is muted, accepts, picks interests, writes."""
    sim, carol, group = cast.sim, cast.carol, cast.group
    for command in (
        "/set tags Python, Web, Data science, DevOps",
        "/set rules Be kind and assume good intent.\nSearch before you ask; share what you learn.\nNo spam or ads.",
        "/set welcome Introduce yourself in one line: what do you build?",
        "/set gate rules",
    ):
        await carol.send(group, command)
        await carol.expect(group, contains="✅")

    dave = sim.user("Dave", username="dave")
    await dave.join(group)
    await sim.wait_for(lambda: group.member(dave).status == "restricted")
    welcome = await dave.expect(group, contains="Dave", timeout=WELCOME_TIMEOUT)

    # The welcome's button opens the private chat with /start join_<community>.
    await dave.start(welcome.buttons[0]["url"].split("start=", 1)[1])
    steps = await dave.expect(contains="rules")
    await dave.press(steps, "I accept")
    await _until(cast, steps, "interested")
    await sim.wait_for(lambda: group.member(dave).status == "member")
    for tag in ("Python", "DevOps"):
        await dave.press(steps, tag)
        await sim.wait_for(lambda tag=tag: f"✅ {tag}" in steps.button_texts)
    await dave.press(steps, "Done")
    await _until(cast, steps, "all set")

    await dave.send(group, "Hi all! I build CI pipelines in Python.")
    await dave.send(None, "/me")
    await dave.expect(contains="Interests")
    await carol.send(group, "/settings")
    await carol.expect(group, contains="Joining")


async def _until(cast: Cast, message: MessageRecord, text: str) -> None:
    await cast.sim.wait_for(lambda: text in message.content)
