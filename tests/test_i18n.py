"""Message catalogs: both languages define the same keys, and code uses only those."""

from __future__ import annotations

import re
from pathlib import Path

from bot.commands import COMMANDS
from bot.i18n import LANGUAGES, Raw, load_translator, resolve_language

ROOT = Path(__file__).resolve().parent.parent
KEY_IN_CODE = re.compile(r"""\bt\(\s*(?:[a-z_.]+,\s*)?["']([a-z_]+(?:\.[a-z_0-9]+)+)["']""")


def test_every_key_exists_in_every_language() -> None:
    t = load_translator()
    english = t.keys("en")
    for lang in LANGUAGES:
        keys = t.keys(lang)
        assert keys - english == set(), f"{lang} has keys English lacks"
        assert english - keys == set(), f"{lang} lacks keys: {sorted(english - keys)}"


def test_keys_used_in_code_exist() -> None:
    t = load_translator()
    known = t.keys("en")
    used: set[str] = set()
    for folder in ("bot", "handlers", "jobs"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(KEY_IN_CODE.findall(path.read_text(encoding="utf-8")))
    used |= {c.description_key for c in COMMANDS}
    assert used, "the scan found no keys; the pattern is wrong"
    assert used - known == set()


def test_parameters_are_escaped_unless_raw() -> None:
    t = load_translator()
    text = t("en", "start.private.item", title="<b>x</b>", step=Raw("<i>ok</i>"))
    assert "&lt;b&gt;x&lt;/b&gt;" in text
    assert "<i>ok</i>" in text


def test_language_resolution() -> None:
    assert resolve_language("zh-hans", "en") == "zh"
    assert resolve_language("en-US", "zh") == "en"
    assert resolve_language("de", "zh") == "zh"
    assert resolve_language(None, None) == "en"
