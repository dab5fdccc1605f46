"""Message catalogs (gettext .po files read with Babel) and language choice."""

from __future__ import annotations

import gettext
import html
import io
from collections.abc import Mapping
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"
LANGUAGES = ("en", "zh")
FALLBACK = "en"


class Raw(str):
    """A parameter that is already safe HTML and must not be escaped again."""


class Translator:
    """Looks up message keys per language and fills in HTML-escaped parameters.

    A key with plural forms (msgid_plural in the .po files) is chosen by its `count` parameter.
    """

    def __init__(self, catalogs: Mapping[str, gettext.GNUTranslations]) -> None:
        self._catalogs = dict(catalogs)

    def __call__(self, lang: str, key: str, /, **params: object) -> str:
        count = params.get("count")
        text = _lookup(self._catalogs.get(lang) or self._catalogs[FALLBACK], key, count)
        if text == key and lang != FALLBACK:
            text = _lookup(self._catalogs[FALLBACK], key, count)
        if text == key:
            raise KeyError(f"message key {key!r} is missing from the catalogs")
        if not params:
            return text
        return text.format(**{name: _escape(value) for name, value in params.items()})

    def keys(self, lang: str) -> set[str]:
        """Return every message key the language defines."""
        entries = self._catalogs[lang]._catalog  # noqa: SLF001
        return {k if isinstance(k, str) else k[0] for k in entries if k}


def _lookup(catalog: gettext.GNUTranslations, key: str, count: object) -> str:
    if isinstance(count, int):
        text = catalog.ngettext(key, key, count)
        if text != key:
            return text
    return catalog.gettext(key)  # also a key without plural forms that happens to get a count


def _escape(value: object) -> str:
    if isinstance(value, Raw):
        return value
    if isinstance(value, str):
        return html.escape(value, quote=False)
    return str(value)


def load_translator(locales_dir: Path = LOCALES_DIR) -> Translator:
    """Read every language's .po file and compile it in memory."""
    catalogs = {}
    for lang in LANGUAGES:
        with (locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
            catalog = read_po(po, locale=lang if lang != "zh" else "zh_Hans_CN")
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        catalogs[lang] = gettext.GNUTranslations(buffer)
    return Translator(catalogs)


def resolve_language(language_code: str | None, community_default: str | None = None) -> str:
    """Pick the user's Telegram language when supported, else the community's default."""
    code = (language_code or "").lower()
    if code.startswith("zh"):
        return "zh"
    if code.startswith("en"):
        return "en"
    return community_default if community_default in LANGUAGES else FALLBACK
