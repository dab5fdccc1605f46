"""Message entities: automatic detection (commands, mentions...) and merging with formatting."""

from __future__ import annotations

import re
from typing import Any

from tgsim.html_parse import parse_html, utf16_len

COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{4,32}(?![\w@])")
URL_RE = re.compile(r"(?<![\w@])https?://[^\s<>\"]+")
HASHTAG_RE = re.compile(r"(?<![\w#&])#\w*[^\W\d_]\w*")


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Find the entities Telegram adds by itself: bot_command, mention, url, hashtag."""
    found: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in (("bot_command", COMMAND_RE), ("url", URL_RE), ("mention", MENTION_RE),
                          ("hashtag", HASHTAG_RE)):
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":
                while end > start and text[end - 1] in ".,;:!?)]'":
                    end -= 1
            if any(start < t_end and end > t_start for t_start, t_end in taken):
                continue
            taken.append((start, end))
            found.append({"type": kind, "offset": utf16_len(text[:start]), "length": utf16_len(text[start:end])})
    return found


def merge_entities(formatted: list[dict[str, Any]], detected: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Combine entities sorted by offset (longer first on ties), like Telegram's output."""
    return sorted(formatted + detected, key=lambda e: (e["offset"], -e["length"]))


__all__ = ["detect_entities", "merge_entities", "parse_html", "utf16_len"]
