"""Repositories, one per table, grouped by the Repos facade."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.repos.activity import ActivityRepo
from storage.repos.answers import AnswersRepo
from storage.repos.audit import AuditRepo
from storage.repos.badges import BadgesRepo
from storage.repos.boards import BoardsRepo
from storage.repos.broadcasts import BroadcastsRepo
from storage.repos.bulk import BulkRepo
from storage.repos.communities import CommunitiesRepo
from storage.repos.content import ContentRepo
from storage.repos.coupons import CouponsRepo
from storage.repos.digests import DigestsRepo
from storage.repos.entitlements import EntitlementsRepo
from storage.repos.exports import ExportsRepo
from storage.repos.faq import FaqRepo
from storage.repos.growth import InviteLinksRepo, ReferralsRepo, TrialsRepo
from storage.repos.ledger import LedgerRepo
from storage.repos.memberships import MembershipsRepo
from storage.repos.onboarding import OnboardingRepo
from storage.repos.orders import OrdersRepo
from storage.repos.outbox import OutboxRepo
from storage.repos.paid_questions import PaidQuestionsRepo
from storage.repos.payments import PaymentsRepo
from storage.repos.plans import PlansRepo
from storage.repos.points import PointsRepo
from storage.repos.questions import QuestionsRepo
from storage.repos.recommend import RecommendRepo
from storage.repos.self_refunds import SelfRefundsRepo
from storage.repos.settings import SettingsRepo
from storage.repos.stats import StatsRepo
from storage.repos.updates import ReceivedUpdatesRepo
from storage.repos.user_settings import UserSettingsRepo
from storage.repos.users import UsersRepo
from storage.repos.welcomes import WelcomesRepo
from storage.transaction import TransactionEvents


class Repos:
    """All repositories bound to one connection (and so to one transaction)."""

    def __init__(self, conn: AsyncConnection, events: TransactionEvents | None = None) -> None:
        self.conn = conn
        self.events = events if events is not None else TransactionEvents()
        self.communities = CommunitiesRepo(conn)
        self.users = UsersRepo(conn, self.events)
        self.memberships = MembershipsRepo(conn)
        self.settings = SettingsRepo(conn)
        self.user_settings = UserSettingsRepo(conn, self.events)
        self.audit = AuditRepo(conn)
        self.broadcasts = BroadcastsRepo(conn)
        self.outbox = OutboxRepo(conn, self.events)
        self.onboarding = OnboardingRepo(conn)
        self.welcomes = WelcomesRepo(conn)
        self.points = PointsRepo(conn)
        self.boards = BoardsRepo(conn)
        self.badges = BadgesRepo(conn)
        self.ledger = LedgerRepo(conn)
        self.bulk = BulkRepo(conn)
        self.digests = DigestsRepo(conn)
        self.questions = QuestionsRepo(conn)
        self.answers = AnswersRepo(conn)
        self.faq = FaqRepo(conn)
        self.recommend = RecommendRepo(conn)
        # Paid content.
        self.content = ContentRepo(conn)
        self.orders = OrdersRepo(conn)
        self.payments = PaymentsRepo(conn)
        self.entitlements = EntitlementsRepo(conn)
        self.plans = PlansRepo(conn)
        # Growth.
        self.trials = TrialsRepo(conn)
        self.invite_links = InviteLinksRepo(conn)
        self.referrals = ReferralsRepo(conn)
        self.paid_questions = PaidQuestionsRepo(conn)
        self.coupons = CouponsRepo(conn)
        self.self_refunds = SelfRefundsRepo(conn)
        # The creator's console.
        self.activity = ActivityRepo(conn)
        self.stats = StatsRepo(conn)
        self.exports = ExportsRepo(conn)
        # Updates received by webhook (several workers).
        self.received_updates = ReceivedUpdatesRepo(conn)


__all__ = [
    "ActivityRepo",
    "AnswersRepo",
    "AuditRepo",
    "BadgesRepo",
    "BoardsRepo",
    "BroadcastsRepo",
    "BulkRepo",
    "CommunitiesRepo",
    "ContentRepo",
    "CouponsRepo",
    "EntitlementsRepo",
    "ExportsRepo",
    "FaqRepo",
    "InviteLinksRepo",
    "LedgerRepo",
    "MembershipsRepo",
    "OrdersRepo",
    "OnboardingRepo",
    "OutboxRepo",
    "PaidQuestionsRepo",
    "PaymentsRepo",
    "PlansRepo",
    "PointsRepo",
    "QuestionsRepo",
    "ReceivedUpdatesRepo",
    "ReferralsRepo",
    "RecommendRepo",
    "Repos",
    "SelfRefundsRepo",
    "SettingsRepo",
    "StatsRepo",
    "UserSettingsRepo",
    "TrialsRepo",
    "UsersRepo",
    "WelcomesRepo",
]
