"""What every renderer shares: the notice environment, a rendered message, mentions and links."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from typing import Any, Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import Settings
from bot.i18n import Raw, Translator


class Texts(Protocol):
    """Anything that translates keys into one reader's language: a handler's context, a NoticeEnv."""

    def t(self, key: str, /, **params: object) -> str: ...


@dataclass(frozen=True)
class Reader:
    """Texts in one reader's language, from a translator and the language (a `Texts` for views)."""

    translator: Translator
    lang: str

    def t(self, key: str, /, **params: object) -> str:
        """Translate a key into the reader's language."""
        return self.translator(self.lang, key, **params)


@dataclass(frozen=True)
class NoticeEnv:
    """What a notice renderer may use: texts in the recipient's language, the bot, the config."""

    translator: Translator
    lang: str
    bot_username: str
    settings: Settings

    def t(self, key: str, /, **params: object) -> str:
        """Translate a key into the recipient's language."""
        return self.translator(self.lang, key, **params)


@dataclass(frozen=True)
class Rendered:
    """A message ready to send: HTML text and an optional inline keyboard."""

    text: str
    markup: InlineKeyboardMarkup | None = None


# Renders one notice kind from its stored parameters.
NoticeRenderer = Callable[[NoticeEnv, dict[str, Any]], Rendered]


def mention(user_id: int, name: str) -> Raw:
    """Return an HTML link that mentions a user by id (the name is escaped)."""
    return Raw(f'<a href="tg://user?id={user_id}">{escape(name, quote=False)}</a>')


def listing(texts: Texts, items: Iterable[str]) -> str:
    """Join words or names the way the reader's language lists them ("a, b" or "a、b")."""
    return texts.t("list.separator").join(items)


def url_button(label: str, url: str) -> InlineKeyboardMarkup:
    """Return a keyboard of one link button."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, url=url)]])
