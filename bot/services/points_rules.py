"""Points rules: config defaults with per-community overrides (/set points.<rule>), the shared state."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache

from bot.clock import Clock
from bot.config import PointsConfig, Settings
from bot.services.known_members import KnownMembers
from bot.services.settings import do_set_community_setting, read_community_settings
from bot.services.settings_registry import COMMUNITY, POINTS_PREFIX, RESET, find_setting, settings_in
from storage.db import Database
from storage.repos import Repos

PREFIX = POINTS_PREFIX
# The rules an admin may change per community (declared in the settings registry); levels,
# their names and the reaction emojis stay global.
OVERRIDABLE: tuple[str, ...] = tuple(
    s.name.removeprefix(PREFIX) for s in settings_in(COMMUNITY) if s.name.startswith(PREFIX)
)
__all__ = ["OVERRIDABLE", "PREFIX", "RESET", "Scoring", "do_set_points_rule", "get_rules", "local_day"]


class Scoring:
    """Shared by every points call: the rules with their per-community overrides (cached), and
    the members already stored (`known`, see bot.services.known_members for its invalidation).
    """

    def __init__(self, config: PointsConfig) -> None:
        self.config = config
        self._rules: dict[int, PointsConfig] = {}
        self.known = KnownMembers()

    async def rules(self, repos: Repos, community_id: int) -> PointsConfig:
        """Return the community's rules: config defaults with its overrides applied."""
        cached = self._rules.get(community_id)
        if cached is not None:
            return cached
        # Only the points section is read, so the rest of the config may stay built-in.
        effective = await read_community_settings(repos, community_id, Settings.model_construct(points=self.config))
        overrides = effective.config_overrides("points")
        rules = self.config.model_copy(update=overrides) if overrides else self.config
        self._rules[community_id] = rules
        return rules

    def invalidate(self, community_id: int) -> None:
        """Forget a community's cached rules (after /set points.<rule>)."""
        self._rules.pop(community_id, None)



@lru_cache(maxsize=256)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def local_day(now: dt.datetime, timezone: str) -> int:
    """Return the community's local calendar day at this instant, as a date ordinal."""
    try:
        zone = _zone(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = _zone("UTC")
    return now.astimezone(zone).date().toordinal()


async def get_rules(db: Database, scoring: Scoring, community_id: int) -> PointsConfig:
    """Return the points rules in force in a community."""
    async with db.read() as repos:
        return await scoring.rules(repos, community_id)


async def do_set_points_rule(
    db: Database, scoring: Scoring, clock: Clock, chat_id: int, actor_id: int, key: str, value: str
) -> str:
    """Store (or reset) a community's points rule, audited; return the rule in force as typed after /set."""
    stored = await do_set_community_setting(db, clock, chat_id, actor_id, key, value, caches=(scoring,))
    setting = find_setting(COMMUNITY, key)
    assert setting is not None  # the setter refused unknown names
    in_force = stored if stored is not None else getattr(scoring.config, key.removeprefix(PREFIX))
    return setting.kind.canonical(in_force)
