"""The typed callback context: repos, settings and services for every handler."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.i18n import resolve_language

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.config import Settings
    from bot.i18n import Translator
    from bot.services.admins import AdminDirectory
    from bot.services.delivery import ContentDeliverer
    from bot.services.outbox import OutboxSender
    from bot.services.points_rules import Scoring
    from bot.services.points_writer import PointsWriter
    from bot.services.qa_search import QaIndex
    from storage.db import Database


class BotState:
    """Everything the handlers share; filled in by the app factory and post_init."""

    settings: Settings
    clock: Clock
    t: Translator
    db: Database
    admins: AdminDirectory
    outbox: OutboxSender
    scoring: Scoring  # points rules and their per-community overrides
    points_writer: PointsWriter  # group commit for points from messages and reactions
    qa_index: QaIndex  # per-community similarity indexes for /ask and /search
    payload_secret: bytes | None  # signs invoice payloads; None switches Stars buying off
    deliverer: ContentDeliverer  # sends bought content once, repairs missed deliveries


class CustomContext(CallbackContext[ExtBot[None], dict, dict, BotState]):
    """PTB's context with typed shortcuts to the shared state."""

    def __init__(self, application: Application, chat_id: int | None = None, user_id: int | None = None):
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.lang = application.bot_data.settings.bot.default_language
        # The language the sender chose with /set language (read for private updates), or None.
        self.language_preference: str | None = None

    @classmethod
    def from_update(cls, update: object, application: Application) -> CustomContext:
        context = super().from_update(update, application)
        if isinstance(update, Update) and update.effective_user and update.effective_chat:
            if update.effective_chat.type == "private":
                context.lang = resolve_language(update.effective_user.language_code, context.lang)
        return context

    @property
    def state(self) -> BotState:
        return self.bot_data

    @property
    def settings(self) -> Settings:
        return self.bot_data.settings

    @property
    def db(self) -> Database:
        return self.bot_data.db

    @property
    def clock(self) -> Clock:
        return self.bot_data.clock

    def t(self, key: str, /, **params: object) -> str:
        """Translate a message key into this update's language."""
        return self.bot_data.t(self.lang, key, **params)
