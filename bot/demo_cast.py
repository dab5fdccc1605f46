"""The demo's cast: the people and the group every scene plays with."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import FakeClock
from bot.runner import BotRunner
from tgsim import Simulator
from tgsim.scripted import SimUser
from tgsim.scripted_chat import SimChat


@dataclass
class Cast:
    """The demo's people and group, shared by every feature's scene."""

    sim: Simulator
    runner: BotRunner
    clock: FakeClock  # the bot's clock: the story moves it to show scheduled messages
    carol: SimUser
    alice: SimUser
    bob: SimUser
    group: SimChat
