"""A local Telegram Bot API simulator with scripted users, for tests and the demo."""

from tgsim.errors import ApiError, ScriptError
from tgsim.payments import PayResult
from tgsim.scripted import CallbackAnswer, SimUser
from tgsim.scripted_chat import SimChat
from tgsim.simulator import Simulator
from tgsim.world import MessageRecord as SimMessage

__all__ = ["ApiError", "CallbackAnswer", "PayResult", "ScriptError", "SimChat", "SimMessage", "SimUser",
           "Simulator"]
