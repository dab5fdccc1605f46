"""Frozen pydantic models returned by the repositories."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict

Language = Literal["en", "zh"]
CommunityStatus = Literal["active", "left"]
MemberStatus = Literal["member", "restricted", "left", "kicked", "pending"]
OutboxStatus = Literal["pending", "sending", "sent", "failed", "skipped"]

# Statuses in which a person is in the group right now.
PRESENT_STATUSES: frozenset[str] = frozenset({"member", "restricted"})
# Statuses that end a stay in the group (they set left_at).
GONE_STATUSES: frozenset[str] = frozenset({"left", "kicked"})


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True)

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> Self:
        """Build the model from a result row mapping keyed by column name."""
        return cls.model_validate(dict(row))


class Community(_Row):
    """A Telegram group served by the bot."""

    id: int
    title: str
    username: str | None
    chat_type: str
    status: CommunityStatus
    language: Language
    timezone: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def is_active(self) -> bool:
        """Tell whether the bot is still in the group."""
        return self.status == "active"


class User(_Row):
    """A Telegram user the bot has seen."""

    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    is_bot: bool
    started_at: dt.datetime | None
    blocked_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def full_name(self) -> str:
        """Return first and last name joined, as Telegram shows them."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    @property
    def can_message(self) -> bool:
        """Tell whether the bot may write to this user in private."""
        return self.started_at is not None and self.blocked_at is None


class Membership(_Row):
    """A user's standing in one community."""

    community_id: int
    user_id: int
    status: MemberStatus
    is_admin: bool
    joined_at: dt.datetime
    left_at: dt.datetime | None
    language: Language | None

    @property
    def is_active(self) -> bool:
        """Tell whether the user is in the group now."""
        return self.status in PRESENT_STATUSES


class AuditEntry(_Row):
    """One admin action, kept for accountability."""

    id: int
    community_id: int
    actor_id: int
    action: str
    target_user_id: int | None
    details: dict[str, Any] | None
    created_at: dt.datetime


class OutboxMessage(_Row):
    """A notice that must eventually reach a chat: what to say, to whom, and its delivery state."""

    id: int
    dedupe_key: str
    chat_id: int
    community_id: int | None
    kind: str
    params: dict[str, Any]
    created_at: dt.datetime
    not_before: dt.datetime | None
    sent_at: dt.datetime | None
    attempts: int
    last_error: str | None
    status: OutboxStatus
    claimed_by: str | None
    claimed_until: dt.datetime | None


class Broadcast(_Row):
    """An admin's message to every member who wants them: a draft, going out, done or cancelled."""

    id: int
    community_id: int
    admin_id: int
    text: str
    status: str
    recipients: int
    chat_id: int | None
    message_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
