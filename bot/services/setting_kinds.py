"""Kinds of setting values: how /set text is checked, how a stored value is read back and shown."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from bot.errors import Usage
from bot.numbers import parse_int
from bot.schedule import OFF, format_time, parse_time

# t(key, **params) in the reader's language; the result is HTML.
Translate = Callable[..., str]
Params = Mapping[str, object]

PREVIEW_CHARS = 60
TRUE_WORDS = ("on", "true", "yes", "1")
FALSE_WORDS = ("off", "false", "no", "0")
_TAG_SEPARATORS = re.compile(r"[,，、;；\n]")


class Kind(Protocol):
    """What every kind of value offers the registry."""

    def parse(self, text: str, params: Params) -> Any:
        """Return the value for non-empty /set text, or raise Usage (params name the setting)."""

    def load(self, stored: Any) -> Any:
        """Return the typed value of a stored JSON value; raise ValueError when it is unusable."""

    def show(self, value: Any, t: Translate) -> str:
        """Return the value as a reader sees it (plain text, escaped by the caller)."""

    def canonical(self, value: Any) -> str:
        """Return the value as it would be typed after /set."""

    def syntax(self, t: Translate) -> str:
        """Return what to type after /set <name> (HTML), for the list of settings."""

    def message_keys(self) -> tuple[str, ...]:
        """Return every message key this kind may show."""


def _usage(key: str, params: Params, **more: object) -> Usage:
    return Usage(key, **{**params, **more})


def preview(text: str) -> str:
    """Return a short one-line form of a long text."""
    line = " ".join(text.split())
    return line if len(line) <= PREVIEW_CHARS else line[: PREVIEW_CHARS - 1] + "…"


@dataclass(frozen=True)
class Choice:
    """One word out of a fixed list (case-insensitive)."""

    choices: tuple[str, ...]
    error: str = "set.bad_choice"
    labels: tuple[str, ...] = ()  # message keys that show each choice, in the same order

    def parse(self, text: str, params: Params) -> str:
        word = text.lower()
        if word not in self.choices:
            raise _usage(self.error, params, value=text, choices=", ".join(self.choices))
        return word

    def load(self, stored: Any) -> str:
        if stored not in self.choices:
            raise ValueError(stored)
        return str(stored)

    def show(self, value: Any, t: Translate) -> str:
        if self.labels and value in self.choices:
            return t(self.labels[self.choices.index(value)])
        return str(value)

    def canonical(self, value: Any) -> str:
        return str(value)

    def syntax(self, t: Translate) -> str:
        return "|".join(self.choices)

    def message_keys(self) -> tuple[str, ...]:
        return (self.error, *self.labels)


@dataclass(frozen=True)
class Flag:
    """On or off; shown with the reader's words for them."""

    error: str = "set.bad_flag"

    def parse(self, text: str, params: Params) -> bool:
        word = text.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise _usage(self.error, params, value=text)

    def load(self, stored: Any) -> bool:
        if not isinstance(stored, bool):
            raise ValueError(stored)
        return stored

    def show(self, value: Any, t: Translate) -> str:
        return t("settings.on") if value else t("settings.off")

    def canonical(self, value: Any) -> str:
        return TRUE_WORDS[0] if value else FALSE_WORDS[0]

    def syntax(self, t: Translate) -> str:
        return f"{TRUE_WORDS[0]}|{FALSE_WORDS[0]}"

    def message_keys(self) -> tuple[str, ...]:
        return (self.error, "settings.on", "settings.off")


@dataclass(frozen=True)
class Number:
    """A whole number in [low, high], written with ASCII digits; unit is the message key that shows it."""

    low: int
    high: int
    error: str = "set.bad_number"
    unit: str | None = None

    def parse(self, text: str, params: Params) -> int:
        number = parse_int(text, self.low, self.high)
        if number is None:
            raise _usage(self.error, params, value=text, min=self.low, max=self.high)
        return number

    def load(self, stored: Any) -> int:
        if isinstance(stored, bool) or not isinstance(stored, int):
            raise ValueError(stored)
        return stored

    def show(self, value: Any, t: Translate) -> str:
        return t(self.unit, value=value) if self.unit else str(value)

    def canonical(self, value: Any) -> str:
        return str(value)

    def syntax(self, t: Translate) -> str:
        return t("set.syntax.number", min=self.low, max=self.high)

    def message_keys(self) -> tuple[str, ...]:
        return (self.error, "set.syntax.number", *((self.unit,) if self.unit else ()))

    @classmethod
    def of_field(
        cls, model: type[BaseModel], name: str, error: str = "set.bad_number", unit: str | None = None
    ) -> Number:
        """Take the bounds of a config field (its ge/le), so they are declared once, in the config."""
        metadata = model.model_fields[name].metadata
        low = next((m.ge for m in metadata if getattr(m, "ge", None) is not None), 0)
        high = next((m.le for m in metadata if getattr(m, "le", None) is not None), 10**9)
        return cls(int(low), int(high), error, unit)


@dataclass(frozen=True)
class Text:
    """Free text up to max_chars; line breaks are kept, the display is a one-line preview."""

    max_chars: int

    def parse(self, text: str, params: Params) -> str:
        if len(text) > self.max_chars:
            raise _usage("set.too_long", params, max=self.max_chars)
        return text

    def load(self, stored: Any) -> str:
        return _stored_text(stored)

    def show(self, value: Any, t: Translate) -> str:
        return preview(str(value))

    def canonical(self, value: Any) -> str:
        return str(value)

    def syntax(self, t: Translate) -> str:
        return t("set.syntax.text", max=self.max_chars)

    def message_keys(self) -> tuple[str, ...]:
        return ("set.too_long", "set.syntax.text")


@dataclass(frozen=True)
class Tags:
    """A comma-separated list of short tags (duplicates dropped, first spelling kept)."""

    max_tags: int
    max_chars: int

    def parse(self, text: str, params: Params) -> tuple[str, ...]:
        tags: list[str] = []
        seen: set[str] = set()
        for part in _TAG_SEPARATORS.split(text):
            tag = " ".join(part.split())
            if not tag:
                continue
            if len(tag) > self.max_chars:
                raise self._bad(params)
            if tag.casefold() not in seen:
                seen.add(tag.casefold())
                tags.append(tag)
        if not tags or len(tags) > self.max_tags:
            raise self._bad(params)
        return tuple(tags)

    def _bad(self, params: Params) -> Usage:
        return _usage("set.bad_tags", params, max_tags=self.max_tags, max_chars=self.max_chars)

    def load(self, stored: Any) -> tuple[str, ...]:
        if not isinstance(stored, list | tuple) or not all(isinstance(tag, str) for tag in stored):
            raise ValueError(stored)
        return tuple(stored)

    def show(self, value: Any, t: Translate) -> str:
        return preview(t("list.separator").join(value))

    def canonical(self, value: Any) -> str:
        return ", ".join(value)

    def syntax(self, t: Translate) -> str:
        return "a, b, c"

    def message_keys(self) -> tuple[str, ...]:
        return ("set.bad_tags",)


@dataclass(frozen=True)
class Zone:
    """An IANA time zone name such as Asia/Shanghai."""

    def parse(self, text: str, params: Params) -> str:
        try:
            zoneinfo.ZoneInfo(text)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise _usage("set.bad_timezone", params, value=text) from None
        return text

    def load(self, stored: Any) -> str:
        return _stored_text(stored)

    def show(self, value: Any, t: Translate) -> str:
        return str(value)

    def canonical(self, value: Any) -> str:
        return str(value)

    def syntax(self, t: Translate) -> str:
        return t("set.syntax.timezone")

    def message_keys(self) -> tuple[str, ...]:
        return ("set.bad_timezone", "set.syntax.timezone")


def _stored_text(stored: Any) -> str:
    """Return a stored JSON string; raise ValueError for anything else."""
    if not isinstance(stored, str):
        raise ValueError(stored)
    return stored


@dataclass(frozen=True)
class TimeOfDay:
    """A local time of day such as 09:00, stored as HH:MM."""

    error: str = "set.bad_time"

    def parse(self, text: str, params: Params) -> str:
        value = parse_time(text)
        if value is None:
            raise _usage(self.error, params, value=text)
        return format_time(value)

    def load(self, stored: Any) -> str:
        if not isinstance(stored, str) or parse_time(stored) is None:
            raise ValueError(stored)
        return stored

    def show(self, value: Any, t: Translate) -> str:
        return str(value)

    def canonical(self, value: Any) -> str:
        return str(value)

    def syntax(self, t: Translate) -> str:
        return "HH:MM"

    def message_keys(self) -> tuple[str, ...]:
        return (self.error,)


@dataclass(frozen=True)
class OffOr:
    """A value `read` understands (a weekly time, a window of hours), stored as it prints, or off."""

    read: Callable[[str], object | None]
    error: str
    example: str

    def parse(self, text: str, params: Params) -> str:
        if text.lower() == OFF:
            return OFF
        value = self.read(text)
        if value is None:
            raise _usage(self.error, params, value=text)
        return str(value)

    def load(self, stored: Any) -> str:
        if stored != OFF and (not isinstance(stored, str) or self.read(stored) is None):
            raise ValueError(stored)
        return str(stored)

    def show(self, value: Any, t: Translate) -> str:
        return t("settings.off") if value == OFF else str(value)

    def canonical(self, value: Any) -> str:
        return str(value)

    def syntax(self, t: Translate) -> str:
        return f"{self.example}|{OFF}"

    def message_keys(self) -> tuple[str, ...]:
        return (self.error, "settings.off")

