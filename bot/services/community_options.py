"""Onboarding settings of a community (welcome, rules, tags, gate), validated for /set."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.config import OnboardingConfig
from bot.errors import NotFound, Usage
from storage.db import Database
from storage.repos import Repos

GATES = ("off", "rules", "request")
OPTION_KEYS = ("welcome", "rules", "tags", "gate", "gate_timeout")
RESET = "reset"
MAX_WELCOME = 1000
MAX_RULES = 3000
MAX_TAGS = 12
MAX_TAG_CHARS = 32
MAX_GATE_TIMEOUT = 1440
# Set when the admins were told the bot lacks a right a gate needs; cleared when the gate
# or the bot's rights change, so they are told once per problem, not once per newcomer.
GATE_WARNING = "gate_warning"
# The usage message of /set <key> per setting.
USAGE = {
    "language": "set.usage.language", "timezone": "set.usage.timezone", "welcome": "set.usage.welcome",
    "rules": "set.usage.rules", "tags": "set.usage.tags", "gate": "set.usage.gate",
    "gate_timeout": "set.usage.gate_timeout",
}

_TAG_SEPARATORS = re.compile(r"[,，、;；\n]")


@dataclass(frozen=True)
class OnboardingOptions:
    """What newcomers see and must do; None texts mean the built-in default."""

    welcome: str | None
    rules: str | None
    tags: tuple[str, ...]
    gate: str
    gate_timeout: int


def parse_tags(raw: str) -> list[str]:
    """Split a comma-separated tag list; raise Usage when it is empty or too long."""
    tags: list[str] = []
    seen: set[str] = set()
    for part in _TAG_SEPARATORS.split(raw):
        tag = " ".join(part.split())
        if not tag:
            continue
        if len(tag) > MAX_TAG_CHARS:
            raise Usage("set.bad_tags", max_tags=MAX_TAGS, max_chars=MAX_TAG_CHARS)
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    if not tags or len(tags) > MAX_TAGS:
        raise Usage("set.bad_tags", max_tags=MAX_TAGS, max_chars=MAX_TAG_CHARS)
    return tags


def parse_option(key: str, raw: str) -> Any:
    """Validate one onboarding setting; None means back to the default."""
    value = raw.strip()
    if not value:
        raise Usage(USAGE[key])
    if value.lower() == RESET:
        return None
    if key in ("welcome", "rules"):
        limit = MAX_WELCOME if key == "welcome" else MAX_RULES
        if len(value) > limit:
            raise Usage("set.too_long", setting=key, max=limit)
        return value
    if key == "tags":
        return parse_tags(value)
    if key == "gate":
        if value.lower() not in GATES:
            raise Usage("set.bad_gate", value=value)
        return value.lower()
    if key == "gate_timeout":
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_GATE_TIMEOUT:
            raise Usage("set.bad_gate_timeout", max=MAX_GATE_TIMEOUT)
        return int(value)
    raise Usage("set.usage")


async def read_options(repos: Repos, community_id: int, defaults: OnboardingConfig) -> OnboardingOptions:
    """Return the community's onboarding settings with config defaults filled in."""
    stored = await repos.settings.get_all(community_id)
    tags = stored.get("tags")
    return OnboardingOptions(
        welcome=stored.get("welcome"),
        rules=stored.get("rules"),
        tags=tuple(tags) if tags is not None else defaults.tags,
        gate=stored.get("gate") or defaults.gate,
        gate_timeout=int(stored.get("gate_timeout") or defaults.gate_timeout),
    )


async def get_options(db: Database, community_id: int, defaults: OnboardingConfig) -> OnboardingOptions:
    """Return the community's onboarding settings."""
    async with db.read() as repos:
        return await read_options(repos, community_id, defaults)


async def do_set_option(
    db: Database, clock: Clock, chat_id: int, actor_id: int, key: str, raw: str
) -> Any:
    """Validate and store one onboarding setting with an audit row; return the stored value."""
    value = parse_option(key, raw)
    now = clock.now()
    async with db.transaction() as repos:
        if await repos.communities.get(chat_id) is None:
            raise NotFound()
        if value is None:
            await repos.settings.delete(chat_id, key)
        else:
            await repos.settings.set(chat_id, key, value, actor_id, now)
        if key == "gate":
            await repos.settings.delete(chat_id, GATE_WARNING)
        await repos.audit.add(chat_id, actor_id, f"set.{key}", None, {"value": value}, now)
    return value
