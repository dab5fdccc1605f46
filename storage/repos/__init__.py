"""Repositories, one per table, grouped by the Repos facade."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.repos.audit import AuditRepo
from storage.repos.communities import CommunitiesRepo
from storage.repos.memberships import MembershipsRepo
from storage.repos.outbox import OutboxRepo
from storage.repos.settings import SettingsRepo
from storage.repos.users import UsersRepo


class Repos:
    """All repositories bound to one connection (and so to one transaction)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.communities = CommunitiesRepo(conn)
        self.users = UsersRepo(conn)
        self.memberships = MembershipsRepo(conn)
        self.settings = SettingsRepo(conn)
        self.audit = AuditRepo(conn)
        self.outbox = OutboxRepo(conn)


__all__ = [
    "AuditRepo",
    "CommunitiesRepo",
    "MembershipsRepo",
    "OutboxRepo",
    "Repos",
    "SettingsRepo",
    "UsersRepo",
]
