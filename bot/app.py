"""The application factory: one place that wires PTB, storage, services and handlers."""

from __future__ import annotations

import datetime as dt
import gc
import logging

from telegram import BotCommand, BotCommandScopeAllChatAdministrators, BotCommandScopeAllGroupChats
from telegram import BotCommandScopeAllPrivateChats, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.clock import Clock, SystemClock
from bot.commands import GROUP, PRIVATE, commands_for
from bot.config import Settings
from bot.context import CustomContext, Services
from bot.gateway.bot import build_bot
from bot.gateway.delivery import ContentDeliverer
from bot.gateway.outbox import OutboxSender
from bot.gateway.pacing import Pacer
from bot.gateway.telegram import Gateway
from bot.i18n import LANGUAGES, load_translator
from bot.leader import Leadership
from bot.processor import ChatOrderedProcessor, DoneHook
from bot.services.admins import AdminDirectory
from bot.services.points_rules import Scoring
from bot.services.points_writer import PointsWriter
from bot.services.qa_search import QaIndex
from bot.services.recommend import Recommender
from bot.services.user_reads import UserReads
from bot.views.base import NoticeEnv
from handlers import audit, broadcast, community, console, content, coupons, digests, export, fallback, faq
from handlers import invites, members, onboarding, paid_questions, payments, payments_admin, points, points_admin
from handlers import publish, question_lists, questions, recommend, self_refunds, start, stats
from handlers import settings as community_settings
from handlers.errors import handle_error
from jobs import schedule_at_start, schedule_jobs
from jobs.payments import repair_paid_content
from storage.db import Database

log = logging.getLogger(__name__)

# Every update PTB knows, and Bot API 10.2's `subscription` (renewals cancelled, re-enabled, failed).
ALLOWED_UPDATES = [*Update.ALL_TYPES, "subscription"]
QA_ANSWERS_GROUP = 10


def build_application(
    settings: Settings, token: str, *, clock: Clock | None = None, on_update_done: DoneHook | None = None
) -> Application:
    """Build the PTB Application for these settings (nothing is opened until post_init)."""
    app = (
        ApplicationBuilder()
        .bot(build_bot(settings, token))
        .concurrent_updates(ChatOrderedProcessor(settings.bot.concurrent_updates, on_done=on_update_done))
        .context_types(ContextTypes(context=CustomContext, bot_data=Services))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    services: Services = app.bot_data
    services.settings = settings
    services.clock = clock or SystemClock()
    services.t = load_translator()
    services.scoring = Scoring(settings.points)
    services.user_reads = UserReads()
    # Each feature's handlers are disjoint, so the order below only matters where a comment says.
    for feature in (
        community, members, content, publish, community_settings, questions, question_lists, faq, onboarding,
        payments, payments_admin, coupons, self_refunds, points, points_admin, digests, console, audit, broadcast,
        recommend, stats, export, invites, paid_questions,
    ):
        app.add_handlers(feature.build_handlers())
    # /start in private is routed by its payload (bot.links) to the feature that made the link.
    start_routes = {**onboarding.START_ROUTES, **content.START_ROUTES, **payments.START_ROUTES, **coupons.START_ROUTES}
    app.add_handlers(start.build_handlers(start_routes, onboarding.show_overview))
    # Last in group 0: answers for private messages and button presses no feature took.
    app.add_handlers(fallback.build_handlers())
    # Before anything else: a member who writes in private (or unblocks the bot) gets notices again.
    app.add_handlers(community.build_contact_handlers(), group=community.CONTACT_GROUP)
    # Before any feature sees a button press: its data must be a button of its message.
    app.add_handlers(fallback.build_guard_handlers(), group=fallback.GUARD_GROUP)
    # Answers are ordinary replies that other features (points for messages) also need to
    # see; a separate group lets both handle the same update.
    app.add_handlers(questions.build_answer_handlers(), group=QA_ANSWERS_GROUP)
    app.add_error_handler(handle_error)
    return app


async def _post_init(app: Application) -> None:
    services: Services = app.bot_data
    settings, clock = services.settings, services.clock
    services.db = db = await Database.open(settings.storage.url, **settings.storage.engine_options())
    services.gateway = gateway = Gateway(app.bot, db, clock, services.t)

    def notice_env(lang: str) -> NoticeEnv:
        return NoticeEnv(services.t, lang, app.bot.username, settings)

    tg = settings.telegram
    services.outbox = OutboxSender(
        db,
        clock,
        gateway.send_notice,
        notice_env,
        pacer=Pacer(tg.outbox_rate, tg.outbox_paid_rate),
        concurrency=tg.outbox_concurrency,
        lease=dt.timedelta(seconds=settings.bot.outbox_lease),
    )
    db.on_outbox_commit(services.outbox.queued)
    # A user's row or settings written anywhere: what the caches hold about them is stale.
    db.on_users_commit(services.scoring.known.forget)
    db.on_users_commit(services.user_reads.forget)
    services.deliverer = ContentDeliverer(db, clock, gateway.deliver_item, settings.payments.delivery_attempts)
    services.admins = AdminDirectory(
        db, clock, gateway.fetch_admins, settings.bot.admin_cache_seconds, settings.bot.owners
    )
    services.points_writer = PointsWriter(db, services.scoring, clock)
    services.qa_index = QaIndex(db, settings.qa)
    services.recommender = Recommender(db, clock, settings.recommend)
    await register_commands(app)
    # Notices left unsent by the last run; the leader also finishes what the last one left half
    # done (refunds, deliveries) and runs the jobs: one worker of those sharing the database.
    services.outbox.wake()

    async def take_over() -> None:
        await repair_paid_content(services)
        schedule_at_start(app)

    services.leader = Leadership(settings.storage.url, settings.bot.leader_check, take_over)
    await services.leader.start()
    if services.leader.is_leader:
        await repair_paid_content(services)
    schedule_jobs(app)
    # What startup built (modules, compiled statements, catalogs, handlers) lives as long as the
    # application: keep it out of the collector's full passes, which otherwise rescan it all
    # (one pass cost ~0.1 s in a burst of group messages). Undone in post_shutdown.
    gc.freeze()


async def _post_stop(app: Application) -> None:
    """While the bot can still send: write pending points, then let the running outbox pass finish."""
    services: Services = app.bot_data
    points_writer = getattr(services, "points_writer", None)
    if points_writer is not None:
        await points_writer.close()  # points of messages already handled are written before closing
    outbox = getattr(services, "outbox", None)
    if outbox is not None:
        await outbox.close()  # notices still unsent wait in the outbox for the next start
    leader = getattr(services, "leader", None)
    if leader is not None:
        await leader.close()  # another worker takes the jobs over at its next check


async def _post_shutdown(app: Application) -> None:
    services: Services = app.bot_data
    gc.unfreeze()  # what post_init froze may be collected again (tests start many applications)
    await _post_stop(app)  # a start that failed half-way never stopped
    qa_index = getattr(services, "qa_index", None)
    if qa_index is not None:
        await qa_index.close()
    db = getattr(services, "db", None)
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
