"""Message catalogs: both languages define the same keys, and code uses only those.

The scan sees a key where the code names it literally: as an argument of t(...), reply(...),
a domain error or a refusal, or inside a literal assigned to a name ending in _KEYS (e.g.
TITLE_KEYS = ("top.title.7d", "top.title.30d")). Keys built at run time (f"cmd.{name}") must
be declared in one of those, or come from a registry listed in KEY_SOURCES.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from bot.commands import COMMANDS
from bot.errors import DomainError
from bot.i18n import LANGUAGES, Raw, load_translator, resolve_language
from bot.services import settings_registry

ROOT = Path(__file__).resolve().parent.parent
KEY = re.compile(r"[a-z_]+(?:\.[a-z_0-9]+)+")


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


# Calls whose leading string arguments are message keys.
KEY_CALLS = frozenset({"t", "reply", "Refusal", DomainError.__name__, *(c.__name__ for c in _subclasses(DomainError))})
# Registries that declare the keys their code builds at run time.
KEY_SOURCES: tuple[Callable[[], Iterable[str]], ...] = (
    lambda: (c.description_key for c in COMMANDS),
    settings_registry.message_keys,
)


def _is_key(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY.fullmatch(node.value) is not None


def _callee(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    return node.func.attr if isinstance(node.func, ast.Attribute) else None


def keys_in_source(source: str) -> set[str]:
    """Return the message keys a module names literally (see the module docstring)."""
    keys: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _callee(node) in KEY_CALLS:
            # reply(..., key=...) and t(..., key=...) fill a {key} placeholder; errors take key=.
            named = [] if _callee(node) in ("t", "reply") else [k.value for k in node.keywords if k.arg == "key"]
            arguments = [*node.args[:3], *named]
            keys |= {a.value for a in arguments if _is_key(a)}  # type: ignore[attr-defined]
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id.endswith("_KEYS") for t in targets):
                keys |= {n.value for n in ast.walk(node.value) if _is_key(n)}  # type: ignore[attr-defined]
    return keys


def keys_used_in_code() -> set[str]:
    """Return every message key the code names or declares."""
    used: set[str] = set()
    for folder in ("bot", "handlers", "jobs"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= keys_in_source(path.read_text(encoding="utf-8"))
    for source in KEY_SOURCES:
        used |= set(source())
    return used


def test_every_key_exists_in_every_language() -> None:
    t = load_translator()
    english = t.keys("en")
    for lang in LANGUAGES:
        keys = t.keys(lang)
        assert keys - english == set(), f"{lang} has keys English lacks"
        assert english - keys == set(), f"{lang} lacks keys: {sorted(english - keys)}"


def test_keys_used_in_code_exist() -> None:
    known = load_translator().keys("en")
    used = keys_used_in_code()
    assert len(used) > 100, "the scan found few keys; the patterns are wrong"
    assert sorted(used - known) == []


def test_the_scan_sees_calls_errors_and_declared_key_tuples() -> None:
    source = '''
TITLE_KEYS = ("top.title.7d", "top.title.30d")
LABEL_KEYS: dict[str, str] = {"a": "x.label.a"}
NAME = "points.message"
async def f(update, context, t, lang):
    context.t("me.points", score=1)
    t(lang, "cmd.help")
    await reply(update, context, "set.done", key="x")
    raise Usage("set.bad_gate", value="y")
    raise NotFound(key="qa.not_found")
    repos.audit.add(1, 2, "faq.add", None, None, now)
'''
    assert keys_in_source(source) == {
        "top.title.7d", "top.title.30d", "x.label.a", "me.points", "cmd.help", "set.done", "set.bad_gate",
        "qa.not_found",
    }


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
