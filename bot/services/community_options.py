"""Onboarding settings of a community (welcome, rules, tags, gate) as the onboarding code reads them.

They are declared in bot.services.settings_registry and stored by bot.services.settings; this
module gives them the typed shape the joining and onboarding code uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.config import OnboardingConfig, Settings
from bot.errors import Usage
from bot.services.settings import do_set_community_setting, read_community_settings
from bot.services.settings_registry import (
    COMMUNITY,
    GATE_WARNING,
    GATES,
    MAX_GATE_TIMEOUT,
    MAX_RULES,
    MAX_TAG_CHARS,
    MAX_TAGS,
    MAX_WELCOME,
    RESET,
    Setting,
    find_setting,
)
from storage.db import Database
from storage.repos import Repos

OPTION_KEYS = ("welcome", "rules", "tags", "gate", "gate_timeout")

__all__ = [
    "GATES",
    "GATE_WARNING",
    "MAX_GATE_TIMEOUT",
    "MAX_RULES",
    "MAX_TAGS",
    "MAX_TAG_CHARS",
    "MAX_WELCOME",
    "OPTION_KEYS",
    "RESET",
    "OnboardingOptions",
    "do_set_option",
    "get_options",
    "parse_option",
    "parse_tags",
    "read_options",
]


@dataclass(frozen=True)
class OnboardingOptions:
    """What newcomers see and must do; None texts mean the built-in default."""

    welcome: str | None
    rules: str | None
    tags: tuple[str, ...]
    gate: str
    gate_timeout: int


def _option(key: str) -> Setting:
    setting = find_setting(COMMUNITY, key) if key in OPTION_KEYS else None
    if setting is None:
        raise Usage("set.unknown", setting=key)
    return setting


def parse_tags(raw: str) -> list[str]:
    """Split a comma-separated tag list; raise Usage when it is empty or too long."""
    tags = _option("tags")
    return list(tags.kind.parse(raw, tags.message_params))


def parse_option(key: str, raw: str) -> Any:
    """Validate one onboarding setting; None means back to the default."""
    value = _option(key).parse(raw)
    return list(value) if isinstance(value, tuple) else value


async def read_options(repos: Repos, community_id: int, defaults: OnboardingConfig) -> OnboardingOptions:
    """Return the community's onboarding settings with config defaults filled in."""
    # Only the onboarding section is read, so the rest of the config may stay built-in.
    effective = await read_community_settings(repos, community_id, Settings.model_construct(onboarding=defaults))
    return OnboardingOptions(
        welcome=effective["welcome"],
        rules=effective["rules"],
        tags=tuple(effective["tags"]),
        gate=effective["gate"],
        gate_timeout=effective["gate_timeout"],
    )


async def get_options(db: Database, community_id: int, defaults: OnboardingConfig) -> OnboardingOptions:
    """Return the community's onboarding settings."""
    async with db.read() as repos:
        return await read_options(repos, community_id, defaults)


async def do_set_option(db: Database, clock: Clock, chat_id: int, actor_id: int, key: str, raw: str) -> Any:
    """Validate and store one onboarding setting with an audit row; return the stored value."""
    return await do_set_community_setting(db, clock, chat_id, actor_id, _option(key).name, raw)
