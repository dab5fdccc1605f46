"""The typed callback context and the one Services object every handler and job reaches through it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.i18n import resolve_language
from bot.services.paid_questions import PaidEnv
from bot.services.questions import QaEnv
from bot.services.refunds import RefundEnv

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.config import Settings
    from bot.gateway.delivery import ContentDeliverer
    from bot.gateway.outbox import OutboxSender
    from bot.gateway.telegram import Gateway
    from bot.i18n import Translator
    from bot.leader import Leadership
    from bot.services.admins import AdminDirectory
    from bot.services.points_rules import Scoring
    from bot.services.points_writer import PointsWriter
    from bot.services.qa_search import QaIndex
    from bot.services.recommend import Recommender
    from bot.services.user_reads import UserReads
    from storage.db import Database


class Services:
    """Everything handlers and jobs share: config, clock, texts, storage, services and the gateway.

    PTB creates it empty (it is the application's bot_data); the app factory sets the first
    four, post_init the rest (they need the database and the bot), post_shutdown closes them.
    """

    settings: Settings
    clock: Clock
    t: Translator
    scoring: Scoring  # points rules and their per-community overrides, members already stored
    user_reads: UserReads  # per-user facts every private update reads (language choice, blocked)
    db: Database
    gateway: Gateway  # Bot API side effects beyond the direct reply
    outbox: OutboxSender  # sends notices after the commits that queued them
    deliverer: ContentDeliverer  # sends bought content once, repairs missed deliveries
    admins: AdminDirectory
    points_writer: PointsWriter  # group commit for points from messages and reactions
    qa_index: QaIndex  # per-community similarity indexes for /ask and /search
    recommender: Recommender  # each community's fitted recommendation model, in memory
    leader: Leadership  # whether this worker runs the scheduled jobs

    @property
    def payload_secret(self) -> bytes | None:
        """Return the invoice payload signing key; None switches Stars buying off."""
        return self.settings.payload_key

    @property
    def qa(self) -> QaEnv:
        """Return what the Q&A services need."""
        return QaEnv(self.db, self.clock, self.scoring, self.settings.qa, self.qa_index)

    @property
    def paid_questions(self) -> PaidEnv:
        """Return what the paid-question services need."""
        return PaidEnv(self.db, self.clock, self.settings)

    @property
    def refunds(self) -> RefundEnv:
        """Return what the refund services need."""
        return RefundEnv(self.db, self.clock, self.scoring, self.gateway.refund)


class CustomContext(CallbackContext[ExtBot[None], dict, dict, "Services"]):
    """PTB's context with typed shortcuts to the shared services."""

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
    def services(self) -> Services:
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
