"""`circlebot demo`: the real bot against the simulator, playing a scripted community."""

from __future__ import annotations

import logging
import os
import secrets
import tempfile

from bot.clock import FakeClock
from bot.config import PAYLOAD_SECRET_ENV, load_settings
from bot.demo_cast import Cast
from bot.demo_console import CHART, scene_console
from bot.demo_content import scene_content
from bot.demo_growth import scene_growth
from bot.demo_coupons import scene_coupons
from bot.demo_morning import START, scene_morning
from bot.demo_onboarding import scene_onboarding
from bot.demo_paid_questions import scene_paid_questions
from bot.demo_points import scene_points
from bot.demo_qa import scene_qa
from bot.logs import setup_logging
from bot.runner import BotRunner
from tgsim import Simulator

log = logging.getLogger(__name__)


async def run_demo() -> int:
    """Play the demo and print every chat's transcript; return the exit code."""
    setup_logging("WARNING")
    os.environ.setdefault(PAYLOAD_SECRET_ENV, secrets.token_hex(32))
    with tempfile.TemporaryDirectory(prefix="circlebot-demo-") as tmp:
        async with Simulator() as sim:
            settings = load_settings(
                None,
                # The simulator runs without flood limits here, so the bot's own limiter (20
                # messages a minute per group, as Telegram allows) would only slow the demo down.
                telegram={"base_url": sim.base_url, "base_file_url": sim.base_file_url, "poll_timeout": 1,
                          "group_max_rate": 1000},
                storage={"url": f"sqlite+aiosqlite:///{tmp}/demo.db"},
            )
            clock = FakeClock(START)
            runner = BotRunner(settings, sim.token, clock=clock)
            await runner.start()
            try:
                await play(sim, runner, clock)
            finally:
                await runner.stop()
            print(sim.transcripts())
    print(f"demo finished: every step above went through the real bot over HTTP; /stats chart: {CHART.resolve()}")
    return 0


async def play(sim: Simulator, runner: BotRunner, clock: FakeClock) -> None:
    """The scripted community: a creator, members, and every feature that exists."""
    carol = sim.user("Carol", username="carol_admin")
    cast = Cast(
        sim,
        runner,
        clock,
        carol=carol,
        alice=sim.user("Alice", username="alice"),
        bob=sim.user("Bob", username="bob", language_code="zh-hans"),
        group=sim.group("Python Circle", owner=carol, supergroup=True),
    )
    # Scenes run in order; each feature adds one (see bot/demo_*.py).
    for scene in (scene_foundation, scene_onboarding, scene_qa, scene_content, scene_points, scene_morning,
                  scene_console, scene_growth, scene_paid_questions, scene_coupons):
        await scene(cast)


async def scene_foundation(cast: Cast) -> None:
    """The bot joins the group, greets it, and answers /start, /help and /settings."""
    carol, alice, bob, group = cast.carol, cast.alice, cast.bob, cast.group
    await group.add_bot(by=carol, admin=True)
    await carol.expect(group, contains="Hello")

    await alice.start()
    await alice.expect()
    await bob.start()
    await bob.expect()
    await alice.join(group)
    await bob.join(group)

    await alice.send(group, "/help")
    await alice.expect(group, contains="Commands for members")
    await carol.send(group, "/help")
    await carol.expect(group, contains="Commands for admins")
    await carol.send(group, "/settings")
    await carol.expect(group, contains="Settings of")
    await bob.send(None, "/help")
    await bob.expect()
    await carol.start()
    await carol.expect(contains="Python Circle")
