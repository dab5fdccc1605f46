"""Telegram's size limits, and shortening HTML texts to fit them without breaking the markup."""

from __future__ import annotations

import html
import re

MAX_TEXT = 4096  # characters of a message after entity parsing
MAX_CAPTION = 1024  # characters of a media caption after entity parsing
MAX_ALERT = 200  # characters of a callback query answer (plain text)
MAX_CALLBACK_DATA = 64  # bytes of an inline button's callback_data
ELLIPSIS = "…"

_TOKEN = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>|([^<]+)")


def visible_length(text_html: str) -> int:
    """Return how many characters Telegram counts once the HTML is parsed."""
    return len(plain_text(text_html))


def plain_text(text_html: str) -> str:
    """Return the text a reader sees: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", text_html))


def fit_html(text_html: str, limit: int = MAX_TEXT) -> str:
    """Return the HTML unchanged when it fits, else cut to `limit` visible characters ending in "…".

    Tags stay balanced: the ones open at the cut are closed, so the result still parses.
    """
    if visible_length(text_html) <= limit:
        return text_html
    budget = limit - len(ELLIPSIS)
    out: list[str] = []
    open_tags: list[str] = []
    for match in _TOKEN.finditer(text_html):
        closing, tag, text = match.groups()
        if text is None:
            out.append(match.group(0))
            if closing:
                if open_tags:
                    open_tags.pop()
            else:
                open_tags.append(tag)
            continue
        plain = html.unescape(text)
        if len(plain) <= budget:
            out.append(text)
            budget -= len(plain)
            continue
        out.append(html.escape(plain[:budget], quote=False) + ELLIPSIS)
        break
    out.extend(f"</{tag}>" for tag in reversed(open_tags))
    return "".join(out)


def fit_plain(text: str, limit: int) -> str:
    """Return plain text cut to `limit` characters ending in "…" when it is longer."""
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS


def alert_text(text_html: str) -> str:
    """Return a translated HTML text as a callback alert: plain, within 200 characters."""
    return fit_plain(plain_text(text_html), MAX_ALERT)
