"""Points rules: config defaults, per-community overrides (/set points.<rule>), the shared state."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache

from pydantic import ValidationError

from bot.clock import Clock
from bot.config import PointsConfig
from bot.errors import NotFound, Usage
from storage.db import Database
from storage.repos import Repos

PREFIX = "points."
# The rules an admin may change per community; levels and their names stay global.
OVERRIDABLE: tuple[str, ...] = tuple(
    name for name in PointsConfig.model_fields if name not in ("levels", "level_names", "reaction_emojis")
)
RESET = "reset"
TRUE_WORDS = ("on", "true", "yes", "1")
FALSE_WORDS = ("off", "false", "no", "0")
# Bounds how many (community, user) pairs the process remembers as already stored.
KNOWN_LIMIT = 200_000


class Scoring:
    """Shared by every points call: the rules with their per-community overrides (cached)."""

    def __init__(self, config: PointsConfig) -> None:
        self.config = config
        self._rules: dict[int, PointsConfig] = {}
        self._known: set[tuple[int, int]] = set()

    async def rules(self, repos: Repos, community_id: int) -> PointsConfig:
        """Return the community's rules: config defaults with its overrides applied."""
        cached = self._rules.get(community_id)
        if cached is not None:
            return cached
        stored = await repos.settings.get_all(community_id)
        overrides = {
            key.removeprefix(PREFIX): value
            for key, value in stored.items()
            if key.startswith(PREFIX) and key.removeprefix(PREFIX) in OVERRIDABLE
        }
        rules = self.config.model_copy(update=overrides) if overrides else self.config
        self._rules[community_id] = rules
        return rules

    def invalidate(self, community_id: int) -> None:
        """Forget a community's cached rules (after /set points.<rule>)."""
        self._rules.pop(community_id, None)

    def knows(self, community_id: int, user_id: int) -> bool:
        """Tell whether this process already stored the user and their membership."""
        return (community_id, user_id) in self._known

    def learn(self, community_id: int, user_id: int) -> None:
        """Remember that the user's rows exist (call after the transaction committed)."""
        if len(self._known) >= KNOWN_LIMIT:
            self._known.clear()
        self._known.add((community_id, user_id))


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


def parse_rule_value(rule: str, value: str) -> int | bool | None:
    """Parse /set points.<rule> <value>; None means reset to the config default."""
    word = value.strip().lower()
    if word == RESET:
        return None
    if rule not in OVERRIDABLE:
        raise Usage("set.points_unknown", rules=", ".join(OVERRIDABLE))
    if PointsConfig.model_fields[rule].annotation in (bool, "bool"):
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise Usage("set.points_bad_bool", rule=rule)
    try:
        number = int(word)
        PointsConfig(**{rule: number})
    except (ValueError, ValidationError):
        raise Usage("set.points_bad_number", rule=rule) from None
    return number


async def get_rules(db: Database, scoring: Scoring, community_id: int) -> PointsConfig:
    """Return the points rules in force in a community."""
    async with db.read() as repos:
        return await scoring.rules(repos, community_id)


async def do_set_points_rule(
    db: Database, scoring: Scoring, clock: Clock, chat_id: int, actor_id: int, key: str, value: str
) -> str:
    """Store (or reset) one community's override of a points rule, audited; return the value now in force."""
    rule = key.removeprefix(PREFIX)
    if rule not in OVERRIDABLE:
        raise Usage("set.points_unknown", rules=", ".join(OVERRIDABLE))
    parsed = parse_rule_value(rule, value)
    now = clock.now()
    async with db.transaction() as repos:
        if await repos.communities.get(chat_id) is None:
            raise NotFound()
        if parsed is None:
            await repos.settings.delete(chat_id, key)
        else:
            await repos.settings.set(chat_id, key, parsed, actor_id, now)
        await repos.audit.add(chat_id, actor_id, f"set.{key}", None, {"value": parsed}, now)
    scoring.invalidate(chat_id)
    shown = parsed if parsed is not None else getattr(scoring.config, rule)
    if isinstance(shown, bool):
        return "on" if shown else "off"
    return str(shown)
