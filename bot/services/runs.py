"""The vocabulary of scheduled engagement: the kinds of run, what is due, what was composed, what ran."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from typing import TYPE_CHECKING

from bot.schedule import OFF, QuietHours

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.services.recommend import Recommender
    from bot.services.settings import EffectiveSettings
    from storage.models import Community

MEMBER_DIGEST, GROUP_DIGEST, WEEKLY_BOARD = "member_digest", "group_digest", "weekly_board"
REMIND_INACTIVE, REMIND_STREAK, REMIND_UNANSWERED = "remind_inactive", "remind_streak", "remind_unanswered"
REMIND_EXPIRING = "remind_expiring"
DAY, WEEK = dt.timedelta(days=1), dt.timedelta(days=7)


@dataclass(frozen=True)
class Due:
    """One kind of run that is due, for one local period; `window` is how far back "new" reaches."""

    kind: str
    period: str
    window: dt.timedelta


@dataclass(frozen=True)
class Run:
    """What one run did: notices queued, recipients skipped (nothing new, opted out), or a repeat."""

    kind: str
    period: str
    queued: int
    skipped: int
    repeat: bool = False


@dataclass(frozen=True)
class Composed:
    """A notice ready to queue."""

    key: str
    chat_id: int
    kind: str
    params: dict[str, Any]
    not_before: dt.datetime | None = None
    badges: tuple[tuple[int, str], ...] = ()  # (member, badge) given in the same transaction
    paid_broadcast: bool = False  # sent with Telegram's paid broadcast (the community allows it)


@dataclass(frozen=True)
class RunContext:
    """What a composer works from: the config, the community and its settings, the run, the moment."""

    config: Settings
    community: Community
    settings: EffectiveSettings
    due: Due
    now: dt.datetime
    local: dt.datetime
    recommender: Recommender | None = None  # the fitted models the members' digest picks from


def after_quiet_hours(window: str, local: dt.datetime) -> dt.datetime | None:
    """Return when a personal notice may go out (None: now), given the member's quiet hours."""
    quiet = QuietHours.parse(window) if window != OFF else None
    if quiet is None or not quiet.contains(local.time()):
        return None
    return quiet.ends_after(local).astimezone(dt.UTC)
