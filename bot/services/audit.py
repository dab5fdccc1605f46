"""The admin audit log as admins read it: /audit, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database
from storage.models import AuditEntry

PAGE = 10


@dataclass(frozen=True)
class AuditPage:
    """One page of the log, with the names of the people it mentions."""

    entries: list[AuditEntry]
    names: dict[int, str]
    offset: int
    total: int

    @property
    def has_older(self) -> bool:
        """Tell whether older entries follow this page."""
        return self.offset + len(self.entries) < self.total


async def get_audit_page(db: Database, community_id: int, offset: int = 0, size: int = PAGE) -> AuditPage:
    """Return the entries at `offset` (0: the newest), with actors' and targets' names."""
    async with db.read() as repos:
        total = await repos.audit.count(community_id)
        offset = max(0, min(offset, max(total - 1, 0) // size * size))
        entries = await repos.audit.list(community_id, size, offset)
        ids = {e.actor_id for e in entries} | {e.target_user_id for e in entries if e.target_user_id is not None}
        users = await repos.users.get_many(ids)
    names = {uid: user.first_name for uid, user in users.items()}
    return AuditPage(entries, names, offset, total)
