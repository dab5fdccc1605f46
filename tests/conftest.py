"""Shared fixtures: the simulator, the real bot against it, and named users."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import FakeClock
from bot.config import Settings, load_settings
from bot.runner import BotRunner
from tgsim import Simulator


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Remember each phase's outcome so fixtures can dump transcripts on failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def sim(request: pytest.FixtureRequest, clock: FakeClock) -> AsyncIterator[Simulator]:
    """A simulator on a free loopback port; its transcripts are printed if the test fails."""
    simulator = Simulator(clock=clock)
    await simulator.start()
    try:
        yield simulator
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            print("\n==== transcripts ====\n" + simulator.transcripts())
            print("==== errors returned to the bot ====")
            for error in simulator.errors:
                print(error)
        await simulator.stop()
    if not request.node.get_closest_marker("allow_forbidden"):
        initiated = [e for e in simulator.errors if "can't initiate conversation" in str(e)]
        assert not initiated, f"the bot tried to message users who never started it: {initiated}"


def make_settings(sim: Simulator, db_path: str, **overrides: object) -> Settings:
    """Settings pointing at the simulator and a per-test database."""
    telegram = {"base_url": sim.base_url, "base_file_url": sim.base_file_url, "poll_timeout": 1}
    telegram.update(overrides.pop("telegram", {}))  # type: ignore[arg-type]
    return load_settings(None, telegram=telegram, storage={"url": f"sqlite+aiosqlite:///{db_path}"}, **overrides)


@pytest.fixture
def settings(sim: Simulator, tmp_path) -> Settings:
    return make_settings(sim, str(tmp_path / "bot.db"))


@pytest.fixture
async def runner(sim: Simulator, settings: Settings, clock: FakeClock) -> AsyncIterator[BotRunner]:
    """The real PTB Application polling the simulator."""
    bot = BotRunner(settings, sim.token, clock=clock)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


@pytest.fixture
def carol(sim: Simulator):
    """The group's creator (a Telegram admin)."""
    return sim.user("Carol", username="carol_admin")


@pytest.fixture
def alice(sim: Simulator):
    return sim.user("Alice", username="alice")


@pytest.fixture
def bob(sim: Simulator):
    return sim.user("Bob", username="bob", language_code="zh-hans")


@pytest.fixture
async def group(sim: Simulator, runner: BotRunner, carol):
    """A supergroup owned by Carol with the bot added as an admin and greeted."""
    chat = sim.group("Python Circle", owner=carol, supergroup=True)
    await chat.add_bot(by=carol, admin=True)
    await carol.expect(chat, contains="Hello")
    return chat
