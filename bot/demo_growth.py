"""Demo scene: growth — a plan with a free trial, and an invite link that earns its owner points."""

from __future__ import annotations

from bot.demo_cast import Cast


async def scene_growth(cast: Cast) -> None:
    """Carol offers a trial; Alice invites Erin, who onboards — Alice earns points; Erin tries the plan free."""
    sim, runner, carol, alice, group = cast.sim, cast.runner, cast.carol, cast.alice, cast.group
    await carol.send(group, "/plan add Insiders 200 trial=7")
    await carol.expect(group, contains="try it free")
    await alice.send(None, "/invite")
    link = await alice.expect(contains="Your invite link")
    url = next(word for word in link.text.split() if word.startswith("https://t.me/+"))
    erin = sim.user("Erin", username="erin")
    await erin.join_by_link(url)
    await runner.wait_processed(sim.last_update_id)
    await erin.start(f"join_{group.id}")
    rules = await erin.expect(contains="rules")
    await erin.press(rules, "I accept")
    await sim.wait_for(lambda: "interested" in rules.content or "all set" in rules.content)
    if rules.buttons:
        await erin.press(rules, "Python")
        await erin.press(rules, "Done")
    await alice.expect(contains="finished onboarding")
    await erin.send(None, "/subscribe")
    plans = await erin.expect(contains="Memberships")
    await erin.press(plans, "Try Insiders")
    await erin.expect(contains="free trial")
