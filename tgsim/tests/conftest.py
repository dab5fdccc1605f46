"""Fixtures: a fresh simulator on a free port, a real PTB Bot pointed at it, named users."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import telegram

from tgsim import Simulator


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    """A started simulator with a short pre-checkout deadline for fast tests."""
    async with Simulator(precheckout_deadline=2.0) as simulator:
        yield simulator


@pytest.fixture
async def tg(sim: Simulator) -> AsyncIterator[telegram.Bot]:
    """A real python-telegram-bot Bot talking HTTP to the simulator."""
    bot = telegram.Bot(sim.token, base_url=sim.base_url, base_file_url=sim.base_file_url)
    async with bot:
        yield bot


@pytest.fixture
def alice(sim: Simulator) -> Any:
    return sim.user("Alice", username="alice", stars=500)


@pytest.fixture
def bob(sim: Simulator) -> Any:
    return sim.user("Bob", username="bob_builder", last_name="Builder")


@pytest.fixture
def carol(sim: Simulator) -> Any:
    return sim.user("Carol", username="carol_admin")


async def drain_updates(bot: telegram.Bot, allowed: list[str] | None = None) -> list[telegram.Update]:
    """Fetch and confirm all pending updates."""
    kwargs: dict[str, Any] = {"timeout": 0}
    if allowed is not None:
        kwargs["allowed_updates"] = allowed
    updates = list(await bot.get_updates(**kwargs))
    if updates:
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    return updates


@pytest.fixture
def drain(tg: telegram.Bot) -> Any:
    """drain(allowed=None): fetch and confirm all pending updates of the test bot."""

    async def run(allowed: list[str] | None = None) -> list[telegram.Update]:
        return await drain_updates(tg, allowed)

    return run
