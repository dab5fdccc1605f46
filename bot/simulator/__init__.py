"""A local Telegram Bot API simulator with scripted users, for tests and the demo."""

from bot.simulator.errors import ApiError, ScriptError
from bot.simulator.payments import PayResult
from bot.simulator.scripted import CallbackAnswer, SimUser
from bot.simulator.scripted_chat import SimChat
from bot.simulator.simulator import Simulator
from bot.simulator.world import MessageRecord as SimMessage

__all__ = ["ApiError", "CallbackAnswer", "PayResult", "ScriptError", "SimChat", "SimMessage", "SimUser",
           "Simulator"]
