"""Message entities: HTML parse_mode parsing and automatic detection (commands, mentions...)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from tgsim.errors import bad_request

COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{4,32}(?![\w@])")
URL_RE = re.compile(r"(?<![\w@])https?://[^\s<>\"]+")
HASHTAG_RE = re.compile(r"(?<![\w#&])#\w*[^\W\d_]\w*")

SIMPLE_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "code": "code",
    "pre": "pre", "tg-spoiler": "spoiler", "blockquote": "blockquote", "a": "text_link",
    "span": "spoiler", "tg-emoji": "custom_emoji",
}


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


class _HtmlToEntities(HTMLParser):
    """Collect plain text and entities from Telegram-flavoured HTML."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.parts: list[str] = []
        self.length = 0
        self.stack: list[tuple[str, dict[str, Any]]] = []
        self.entities: list[dict[str, Any]] = []

    def _byte_offset(self) -> int:
        line, col = self.getpos()
        lines = self.source.split("\n")
        chars = sum(len(row) + 1 for row in lines[: line - 1]) + col
        return len(self.source[:chars].encode("utf-8"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kind = SIMPLE_TAGS.get(tag)
        values = dict(attrs)
        if kind is None or (tag == "span" and values.get("class") != "tg-spoiler"):
            raise bad_request(f'can\'t parse entities: Unsupported start tag "{tag}" at byte offset {self._byte_offset()}')
        entity: dict[str, Any] = {"type": kind, "offset": self.length}
        if tag == "a":
            href = values.get("href") or ""
            entity["url"] = href
            match = re.match(r"tg://user\?id=(\d+)$", href)
            if match:
                entity = {"type": "text_mention", "offset": self.length, "_user_id": int(match.group(1))}
        elif tag == "blockquote" and "expandable" in values:
            entity["type"] = "expandable_blockquote"
        elif tag == "tg-emoji":
            entity["custom_emoji_id"] = values.get("emoji-id") or ""
        elif tag == "code" and self.stack and self.stack[-1][0] == "pre":
            language = (values.get("class") or "").removeprefix("language-")
            if language:
                self.stack[-1][1]["language"] = language
            entity["_skip"] = True
        self.stack.append((tag, entity))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack:
            raise bad_request(f"can't parse entities: Unexpected end tag at byte offset {self._byte_offset()}")
        open_tag, entity = self.stack.pop()
        if open_tag != tag:
            raise bad_request(f'can\'t parse entities: Unmatched end tag at byte offset {self._byte_offset()}, '
                              f'expected "</{open_tag}>", found "</{tag}>"')
        entity["length"] = self.length - entity["offset"]
        if entity["length"] > 0 and not entity.pop("_skip", False):
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.length += utf16_len(data)

    def finish(self) -> tuple[str, list[dict[str, Any]]]:
        self.close()
        if self.stack:
            raise bad_request(f'can\'t parse entities: Can\'t find end tag corresponding to start tag "{self.stack[-1][0]}"')
        return "".join(self.parts), self.entities


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Turn HTML into plain text and formatting entities (Telegram's HTML subset)."""
    parser = _HtmlToEntities(source)
    parser.feed(source)
    return parser.finish()


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
