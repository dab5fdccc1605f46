"""The application factory: one place that wires PTB, storage, services and handlers."""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import BotCommand, BotCommandScopeAllChatAdministrators, BotCommandScopeAllGroupChats
from telegram import BotCommandScopeAllPrivateChats, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bot.clock import Clock, SystemClock
from bot.commands import GROUP, PRIVATE, commands_for
from bot.config import Settings, read_payload_secret
from bot.context import BotState, CustomContext
from bot.i18n import LANGUAGES, load_translator
from bot.processor import ChatOrderedProcessor, DoneHook
from bot.services.admins import AdminDirectory, AdminInfo
from bot.services.outbox import OutboxSender
from bot.services.points_rules import Scoring
from bot.services.points_writer import PointsWriter
from bot.services.qa_search import QaIndex
from handlers import community, content, faq, members, onboarding, payments, payments_admin, publish
from handlers import points, points_admin, question_lists, questions, start
from handlers import settings as community_settings
from handlers.errors import handle_error
from handlers.payments import start_paid_content
from jobs.gates import schedule_gates
from storage.db import Database

log = logging.getLogger(__name__)

OUTBOX_JOB = "outbox-drain"
ALLOWED_UPDATES = Update.ALL_TYPES
QA_ANSWERS_GROUP = 10


def build_application(
    settings: Settings, token: str, *, clock: Clock | None = None, on_update_done: DoneHook | None = None
) -> Application:
    """Build the PTB Application for these settings (nothing is opened until post_init)."""
    state = BotState()
    state.settings = settings
    state.clock = clock or SystemClock()
    state.t = load_translator()
    state.scoring = Scoring(settings.points, state.t)
    state.payload_secret = read_payload_secret()
    tg = settings.telegram
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=tg.overall_max_rate, group_max_rate=tg.group_max_rate, max_retries=tg.max_retries
            )
        )
        .concurrent_updates(ChatOrderedProcessor(settings.bot.concurrent_updates, on_done=on_update_done))
        .context_types(ContextTypes(context=CustomContext, bot_data=BotState))
        .get_updates_read_timeout(tg.poll_timeout + 10)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data.__dict__.update(state.__dict__)
    # Order matters only where two handlers could match the same update; each feature's
    # handlers are disjoint, so features are simply listed.
    # content and publish answer some /start deep links (item_, catalog_, sub_, publish), so
    # they come before start.
    for feature in (
        community, members, content, publish, start, community_settings, questions, question_lists, faq, onboarding,
        payments, payments_admin, points, points_admin,
    ):
        app.add_handlers(feature.build_handlers())
    # Answers are ordinary replies that other features (points for messages) also need to
    # see; a separate group lets both handle the same update.
    app.add_handlers(questions.build_answer_handlers(), group=QA_ANSWERS_GROUP)
    app.add_error_handler(handle_error)
    return app


async def _post_init(app: Application) -> None:
    state: BotState = app.bot_data
    state.db = await Database.open(state.settings.storage.url)

    async def fetch_admins(chat_id: int) -> list[AdminInfo]:
        members = await app.bot.get_chat_administrators(chat_id)
        return [
            AdminInfo(m.user.id, m.user.first_name, m.user.last_name, m.user.username, m.user.is_bot) for m in members
        ]

    async def send(method: str, payload: dict[str, Any]) -> object:
        kwargs = dict(payload)
        if "reply_markup" in kwargs:
            kwargs["reply_markup"] = InlineKeyboardMarkup.de_json(kwargs["reply_markup"], app.bot)
        return await getattr(app.bot, _snake_case(method))(**kwargs)

    state.admins = AdminDirectory(
        state.db, state.clock, fetch_admins, state.settings.bot.admin_cache_seconds, state.settings.bot.owners
    )
    state.outbox = OutboxSender(state.db, state.clock, send)
    state.points_writer = PointsWriter(state.db, state.scoring, state.clock, announce=state.outbox.drain)
    state.qa_index = QaIndex(state.db, state.settings.qa)
    await register_commands(app)
    await state.outbox.drain()
    # Deliver paid content a crash left undelivered, and finish interrupted refunds.
    await start_paid_content(app)
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _drain_outbox, interval=state.settings.bot.outbox_interval, name=OUTBOX_JOB, job_kwargs={"id": OUTBOX_JOB}
        )
        schedule_gates(app)


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for PTB's webhook server from the `webhook` section."""
    hook = settings.webhook
    return {
        "listen": hook.listen,
        "port": hook.port,
        "url_path": hook.path,
        "webhook_url": hook.url,
        "secret_token": hook.secret_token.get_secret_value(),
        "allowed_updates": ALLOWED_UPDATES,
    }


def _snake_case(method: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", method).lower()


async def _drain_outbox(context: CustomContext) -> None:
    await context.state.outbox.drain()


async def _post_shutdown(app: Application) -> None:
    state: BotState = app.bot_data
    qa_index = getattr(state, "qa_index", None)
    if qa_index is not None:
        await qa_index.close()
    points_writer = getattr(state, "points_writer", None)
    if points_writer is not None:
        await points_writer.close()  # points of messages already handled are written before closing
    db = getattr(state, "db", None)
    if db is not None:
        await db.close()


async def register_commands(app: Application) -> None:
    """Publish the command menus per scope and language; failures are only logged."""
    t = app.bot_data.t
    scopes = (
        (BotCommandScopeAllPrivateChats(), PRIVATE, False),
        (BotCommandScopeAllGroupChats(), GROUP, False),
        (BotCommandScopeAllChatAdministrators(), GROUP, True),
    )
    for scope, chat, admin in scopes:
        for lang in LANGUAGES:
            commands = [BotCommand(c.name, t(lang, c.description_key)) for c in commands_for(chat, admin=admin)]
            try:
                await app.bot.set_my_commands(commands, scope=scope, language_code=None if lang == "en" else lang)
            except TelegramError as exc:
                log.warning("setMyCommands failed for %s/%s: %s", scope.type, lang, exc)
