"""Settings of communities and members' preferences: one setter and one reader over the registry."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from bot.clock import Clock
from bot.errors import NotFound, Usage
from bot.i18n import LANGUAGES, resolve_language
from bot.services.settings_registry import COMMUNITY, MEMBER, Setting, find_setting, settings_in
from bot.services.user_reads import LANGUAGE, MISSING, UserReads
from storage.db import Database
from storage.repos import Repos

if TYPE_CHECKING:
    import datetime as dt

    from bot.config import Settings
    from bot.services.communities import UserInfo

log = logging.getLogger(__name__)


class SettingsCache(Protocol):
    """Anything that keeps a community's settings in memory (the points rules do)."""

    def invalidate(self, community_id: int) -> None: ...


@dataclass(frozen=True)
class CommunityOverview:
    """The head of /settings: which community, and how many people are in it."""

    title: str
    members: int
    admins: int


class EffectiveSettings(Mapping[str, Any]):
    """One community's (or member's) settings by name, with the defaults filled in; read-only."""

    def __init__(self, scope: str, values: Mapping[str, Any], explicit: Iterable[str]) -> None:
        self.scope = scope
        self._values = dict(values)
        self._explicit = frozenset(explicit)

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"EffectiveSettings({self.scope!r}, {self._values!r})"

    def is_set(self, name: str) -> bool:
        """Tell whether the value was chosen (stored) rather than the default."""
        return name in self._explicit

    def config_overrides(self, section: str) -> dict[str, Any]:
        """Return the chosen values whose defaults live in one config section, by config field."""
        prefix = section + "."
        return {
            s.default.removeprefix(prefix): self._values[s.name]
            for s in settings_in(self.scope)
            if s.default is not None and s.default.startswith(prefix) and s.name in self._explicit
        }


def _load(setting: Setting, stored: Any) -> Any:
    """Return the typed stored value, or None when nothing (usable) is stored."""
    if stored is None:
        return None
    try:
        return setting.kind.load(stored)
    except ValueError:
        log.warning("ignoring unusable stored value %r of setting %s", stored, setting.name)
        return None


def _effective(scope: str, stored: Mapping[str, Any], config: Settings) -> EffectiveSettings:
    values = {s.name: s.in_force(stored.get(s.name), config) for s in settings_in(scope)}
    return EffectiveSettings(scope, values, (name for name, value in stored.items() if value is not None))


async def read_community_settings(repos: Repos, community_id: int, config: Settings) -> EffectiveSettings:
    """Return a community's settings with the config's defaults filled in."""
    community = await repos.communities.get(community_id)
    rows = await repos.settings.get_all(community_id)
    stored: dict[str, Any] = {}
    for setting in settings_in(COMMUNITY):
        if setting.column is not None:
            raw = getattr(community, setting.column) if community is not None else None
        else:
            raw = rows.get(setting.name)
        stored[setting.name] = _load(setting, raw)
    return _effective(COMMUNITY, stored, config)


async def get_community_settings(db: Database, community_id: int, config: Settings) -> EffectiveSettings:
    """Return a community's settings with the config's defaults filled in."""
    async with db.read() as repos:
        return await read_community_settings(repos, community_id, config)


async def read_member_settings(repos: Repos, user_id: int, config: Settings) -> EffectiveSettings:
    """Return a member's own preferences with the defaults filled in."""
    return effective_member_settings(await repos.user_settings.get_all(user_id), config)


def effective_member_settings(rows: Mapping[str, Any], config: Settings) -> EffectiveSettings:
    """Return a member's preferences from their stored rows (by name), with the defaults filled in."""
    stored = {s.name: _load(s, rows.get(s.name)) for s in settings_in(MEMBER)}
    return _effective(MEMBER, stored, config)


async def get_member_settings(db: Database, user_id: int, config: Settings) -> EffectiveSettings:
    """Return a member's own preferences with the defaults filled in."""
    async with db.read() as repos:
        return await read_member_settings(repos, user_id, config)


async def get_overview(db: Database, community_id: int) -> CommunityOverview:
    """Return the community's title and head counts for /settings."""
    async with db.read() as repos:
        community = await repos.communities.get(community_id)
        if community is None:
            raise NotFound()
        members = await repos.memberships.count_active(community_id)
        admins = await repos.memberships.admins(community_id)
    return CommunityOverview(community.title, members, len(admins))


def _require(scope: str, name: str) -> Setting:
    setting = find_setting(scope, name)
    if setting is None:
        raise Usage("set.unknown", setting=name)
    return setting


async def do_set_community_setting(
    db: Database,
    clock: Clock,
    community_id: int,
    actor_id: int,
    name: str,
    raw: str,
    caches: Iterable[SettingsCache] = (),
) -> Any:
    """Validate /set <name> <raw>, store it and audit it in one transaction; return the stored value.

    None is returned after `reset` (the default applies again). A bad value raises Usage and
    writes nothing. The caches forget the community's settings once the change is committed.
    """
    setting = _require(COMMUNITY, name)
    value = setting.parse(raw)
    now = clock.now()
    async with db.transaction() as repos:
        if await repos.communities.get(community_id) is None:
            raise NotFound()
        if setting.column is not None:
            await repos.communities.set_column(community_id, setting.column, value, now)
        elif value is None:
            await repos.settings.delete(community_id, setting.name)
        else:
            await repos.settings.set(community_id, setting.name, _json(value), actor_id, now)
        if setting.on_change is not None:
            await setting.on_change(repos, community_id)
        await repos.audit.add(community_id, actor_id, f"set.{setting.name}", None, {"value": _json(value)}, now)
    for cache in caches:
        cache.invalidate(community_id)
    return value


async def do_set_member_setting(db: Database, clock: Clock, user: UserInfo, name: str, raw: str) -> Any:
    """Validate and store one of the member's own preferences; return it (None after `reset`)."""
    setting = _require(MEMBER, name)
    value = setting.parse(raw)
    now = clock.now()
    async with db.transaction() as repos:
        await _store_user(repos, user, now)
        if value is None:
            await repos.user_settings.delete(user.id, setting.name)
        else:
            await repos.user_settings.set(user.id, setting.name, _json(value), now)
        if setting.on_change is not None:
            await setting.on_change(repos, user.id)
    return value


def _json(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


async def _store_user(repos: Repos, user: UserInfo, now: dt.datetime) -> None:
    await repos.users.upsert(
        user.id, user.first_name, user.last_name, user.username, user.language_code, user.is_bot, now
    )


# --- the language of private messages ---------------------------------------------------------


def pick_language(preference: str | None, language_code: str | None, fallback: str | None) -> str:
    """Return the member's chosen language, else their Telegram app's when supported, else fallback."""
    if preference in LANGUAGES:
        return preference  # type: ignore[return-value]
    return resolve_language(language_code, fallback)


async def read_language_preference(repos: Repos, user_id: int) -> str | None:
    """Return the language the member chose with /set language, or None (follow Telegram)."""
    setting = _require(MEMBER, "language")
    return _load(setting, await repos.user_settings.get(user_id, setting.name))


async def get_language_preference(db: Database, user_id: int, cache: UserReads | None = None) -> str | None:
    """Return the language the member chose with /set language, or None (follow Telegram); cached in cache."""
    if cache is not None:
        cached = cache.get(LANGUAGE, user_id)
        if cached is not MISSING:
            return cached  # type: ignore[return-value]
        generation = cache.generation
    async with db.read() as repos:
        preference = await read_language_preference(repos, user_id)
    if cache is not None:
        cache.keep(LANGUAGE, user_id, preference, generation)
    return preference


async def read_private_language(repos: Repos, user_id: int, community_id: int | None) -> str:
    """Return the language of a private message: the member's choice, their Telegram one, else the community's."""
    setting = _require(MEMBER, "language")
    language_code, fallback, stored = await repos.user_settings.language_facts(user_id, community_id, setting.name)
    return pick_language(_load(setting, stored), language_code, fallback)


async def get_user_language(repos: Repos, user_id: int, language_code: str | None, fallback: str | None) -> str:
    """Return the language of a private message to this member (choice, Telegram app, fallback)."""
    return pick_language(await read_language_preference(repos, user_id), language_code, fallback)
