"""Message catalogs: both languages define the same keys, and code uses only those.

The scan sees every string literal shaped like a key whose first part names a catalog
namespace, wherever it stands: a t(...) call, a table that maps values to keys, a registry
declaration. Keys are never built at run time (f"cmd.{name}"): a table writes them out.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.commands import COMMANDS
from bot.i18n import LANGUAGES, Raw, load_translator, resolve_language
from bot.services import settings_registry
from bot.views.audit import ACTIONS as AUDIT_ACTIONS

ROOT = Path(__file__).resolve().parent.parent
CODE = ("bot", "handlers", "jobs")
# Any string literal shaped like a message key ("qa.notify.answer"); those whose first part
# names a catalog namespace are message keys, wherever they appear (calls, tables, defaults).
LITERAL = re.compile(r"""["']([a-z_]+(?:\.[a-z_0-9]+)+)["']""")
# Audit actions look like keys but name what an admin did ("plan.add").
AUDIT_ACTION = re.compile(r"""audit\.add\([^)]*?["']([a-z_]+(?:\.[a-z_0-9]+)+)["']""")
# A key built at run time can't be checked: keys are written out (tables map values to keys).
BUILT = re.compile(r"""(?<!default=)\bf["']([a-z_]+)\.""")  # default=f"points.x" names a config field
# Built on purpose, and checked another way: every command's description key comes from COMMANDS.
BUILT_CHECKED = ("return self.key or f\"cmd.{self.name}\"",)


def _code() -> list[tuple[Path, str]]:
    return [
        (path, path.read_text(encoding="utf-8"))
        for folder in CODE
        for path in (ROOT / folder).rglob("*.py")
        if "simulator" not in path.parts
    ]


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
    namespaces = {key.split(".", 1)[0] for key in known}
    used: set[str] = set()
    # Audit actions are named where they are written, and again where /audit names them.
    actions = {action for _, text in _code() for action in AUDIT_ACTION.findall(text)}
    actions |= set(AUDIT_ACTIONS) | {"points.admin_award", "points.admin_deduct"}  # points.{reason}
    for _, text in _code():
        used |= {key for key in LITERAL.findall(text) if key.split(".", 1)[0] in namespaces and key not in actions}
    used |= {c.description_key for c in COMMANDS}
    used |= set(settings_registry.message_keys())
    assert len(used) > 300, "the scan found too few keys; the pattern is wrong"
    assert used - known == set()


def test_no_key_is_built_at_run_time() -> None:
    namespaces = {key.split(".", 1)[0] for key in load_translator().keys("en")}
    built = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path, text in _code()
        for line in text.splitlines()
        if any(m.group(1) in namespaces for m in BUILT.finditer(line))
        and "audit.add(" not in line
        and line.strip() not in BUILT_CHECKED
    ]
    assert built == []


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
