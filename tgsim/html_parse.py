"""Telegram's HTML parse_mode, as strict as tdlib's parse_html.

Every "<" opens a tag, only the supported tags are accepted, only &lt; &gt; &amp; &quot; and
numeric references are decoded (any other "&" stays as it is), and errors carry tdlib's texts
with byte offsets into the UTF-8 source. The Bot API sends them as
"Bad Request: can't parse entities: <detail>".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tgsim.errors import ApiError, bad_request

_DECIMAL = re.compile(r"[0-9]+")  # ASCII digits only, as Telegram reads ids

# tdlib's is_space; "\0" also stands for the end of the text.
SPACES = frozenset(" \t\r\n\v\0")
SUPPORTED_TAGS = frozenset({
    "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji", "span",
    "pre", "code", "blockquote",
})
SIMPLE_KINDS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
    "span": "spoiler",
}
NAMED_REFERENCES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
SPECIAL = re.compile(r"[&<]")
TEXT_MENTION = re.compile(r"tg://user\?id=(\d+)$", re.IGNORECASE)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
HEX = frozenset("0123456789abcdefABCDEF")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def decode_reference(text: str, pos: int) -> tuple[str | None, int]:
    """Decode the character reference at text[pos] == "&": (character, next position) or (None, pos)."""
    end = pos + 1
    if text.startswith("#", end):
        end += 1
        hexadecimal = text.startswith("x", end)
        end += hexadecimal
        digits = HEX if hexadecimal else frozenset("0123456789")
        start = end
        while end < len(text) and text[end] in digits:
            end += 1
        code = int(text[start:end], 16 if hexadecimal else 10) if end > start else 0
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None, pos
        char = chr(code)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        found = NAMED_REFERENCES.get(text[pos + 1:end])
        if found is None:
            return None, pos
        char = found
    return char, end + 1 if text.startswith(";", end) else end


@dataclass
class OpenTag:
    """A start tag waiting for its end tag."""

    name: str
    argument: str
    offset: int
    text_start: int


class HtmlParser:
    """One parse of one text; parse() returns the plain text and its entities."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.offset = 0
        self.chars = 0
        self.stack: list[OpenTag] = []
        self.entities: list[dict[str, Any]] = []
        self.surrogates = False

    def at(self, i: int | None = None) -> str:
        """The character at i (default: the cursor), "\\0" past the end."""
        i = self.pos if i is None else i
        return self.src[i] if i < len(self.src) else "\0"

    def fail(self, detail: str) -> ApiError:
        """Build the Bot API's parse error."""
        return bad_request(f"can't parse entities: {detail}")

    def byte_offset(self, i: int) -> int:
        """Byte offset of position i in the UTF-8 source."""
        return len(self.src[:i].encode("utf-8", "surrogatepass"))

    def emit(self, text: str) -> None:
        """Append plain text."""
        self.out.append(text)
        self.chars += len(text)
        self.offset += utf16_len(text)

    def skip_spaces(self) -> None:
        """Move the cursor over spaces (not past the end)."""
        while self.pos < len(self.src) and self.at() in SPACES:
            self.pos += 1

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        """Run the parser over the whole source."""
        src = self.src
        while self.pos < len(src):
            found = SPECIAL.search(src, self.pos)
            stop = found.start() if found else len(src)
            if stop > self.pos:
                self.emit(src[self.pos:stop])
                self.pos = stop
                continue
            if src[stop] == "&":
                char, after = decode_reference(src, stop)
                if char is None:
                    self.emit("&")
                    self.pos += 1
                else:
                    self.surrogates |= 0xD800 <= ord(char) <= 0xDFFF
                    self.emit(char)
                    self.pos = after
                continue
            if self.at(stop + 1) == "/":
                self.end_tag(stop)
            else:
                self.start_tag(stop)
            self.pos += 1  # past ">"
        if self.stack:
            raise self.fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        if self.surrogates:
            raise self.fail("Text contains invalid Unicode characters after decoding HTML entities, "
                            "check for unmatched surrogate code units")
        return "".join(self.out), self.entities

    def start_tag(self, begin: int) -> None:
        """Read a start tag and its attributes; leave the cursor on its ">"."""
        self.pos = begin + 1
        while self.at() not in SPACES and self.at() != ">":
            self.pos += 1
        if self.at() == "\0":
            raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = self.src[begin + 1:self.pos].lower()
        if name not in SUPPORTED_TAGS:
            raise self.fail(f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}')
        argument = ""
        while self.at() != ">":
            self.skip_spaces()
            if self.at() == ">":
                break
            argument = self.attribute(name, begin, argument)
        if name == "span" and argument != "spoiler":
            raise self.fail(f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}')
        self.stack.append(OpenTag(name, argument, self.offset, self.chars))

    def attribute(self, tag: str, begin: int, argument: str) -> str:
        """Read one attribute; return the tag's argument, updated when the attribute matters."""
        start = self.pos
        while self.at() not in SPACES and self.at() not in "=>/\"'":
            self.pos += 1
        attr = self.src[start:self.pos]
        if not attr:
            raise self.fail(f'Empty attribute name in the tag "{tag}" at byte offset {self.byte_offset(begin)}')
        self.skip_spaces()
        if self.at() != "=":
            if self.at() == "\0":
                raise self.fail(f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}')
            return "1" if tag == "blockquote" and attr == "expandable" else argument
        self.pos += 1
        self.skip_spaces()
        if self.at() == "\0":
            raise self.fail(f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}')
        value = self.attribute_value()
        if self.at() == "\0":
            raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        if tag == "a" and attr == "href" or tag == "tg-emoji" and attr == "emoji-id":
            return value
        if tag == "code" and attr == "class" and value.startswith("language-"):
            return value.removeprefix("language-")
        if tag == "span" and attr == "class" and value.startswith("tg-"):
            return value.removeprefix("tg-")
        if tag == "blockquote" and attr == "expandable":
            return "1"
        return argument

    def attribute_value(self) -> str:
        """Read a quoted string (references decoded) or a bare name token (lower-cased)."""
        quote = self.at()
        if quote not in "\"'":
            start = self.pos
            while self.at() in ALNUM or self.at() in ".-":
                self.pos += 1
            if self.at() not in SPACES and self.at() != ">":
                raise self.fail(f"Unexpected end of name token at byte offset {self.byte_offset(start)}")
            return self.src[start:self.pos].lower()
        self.pos += 1
        chars: list[str] = []
        while self.at() != quote and self.at() != "\0":
            if self.at() == "&":
                char, after = decode_reference(self.src, self.pos)
                if char is not None:
                    chars.append(char)
                    self.pos = after
                    continue
            chars.append(self.at())
            self.pos += 1
        if self.at() == quote:
            self.pos += 1
        return "".join(chars)

    def end_tag(self, begin: int) -> None:
        """Read an end tag, close the innermost open tag; leave the cursor on ">"."""
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        self.pos = begin + 1
        while self.at() not in SPACES and self.at() != ">":
            self.pos += 1
        name = self.src[begin + 2:self.pos].lower()
        self.skip_spaces()
        if self.at() != ">":
            raise self.fail(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        tag = self.stack[-1]
        if name and name != tag.name:
            raise self.fail(f'Unmatched end tag at byte offset {self.byte_offset(begin)}, '
                            f'expected "</{tag.name}>", found "</{name}>"')
        self.stack.pop()
        if self.offset > tag.offset:
            self.close(tag)

    def close(self, tag: OpenTag) -> None:
        """Turn a closed, non-empty tag into its entity."""
        span = {"offset": tag.offset, "length": self.offset - tag.offset}
        last = self.entities[-1] if self.entities else None
        same = last is not None and last["offset"] == span["offset"] and last["length"] == span["length"]
        if tag.name in SIMPLE_KINDS:
            self.entities.append({"type": SIMPLE_KINDS[tag.name], **span})
        elif tag.name == "tg-emoji":
            if not _DECIMAL.fullmatch(tag.argument) or int(tag.argument) == 0 or int(tag.argument) >= 2 ** 63:
                raise self.fail("Invalid custom emoji identifier specified")
            self.entities.append({"type": "custom_emoji", **span, "custom_emoji_id": tag.argument})
        elif tag.name == "a":
            self.link(tag, span)
        elif tag.name == "pre":
            if same and last is not None and last["type"] == "code" and last.get("_language"):
                last["type"], last["language"] = "pre", last.pop("_language")
            else:
                self.entities.append({"type": "pre", **span})
        elif tag.name == "code":
            if same and last is not None and last["type"] == "pre" and tag.argument:
                last["language"] = tag.argument
            else:
                entity = {"type": "code", **span}
                if tag.argument:
                    entity["_language"] = tag.argument
                self.entities.append(entity)
        else:
            kind = "expandable_blockquote" if tag.argument else "blockquote"
            self.entities.append({"type": kind, **span})

    def link(self, tag: OpenTag, span: dict[str, int]) -> None:
        """<a>: a text mention for tg://user?id=N, else a text link when the URL is usable."""
        url = tag.argument or "".join(self.out)[tag.text_start:]
        mention = TEXT_MENTION.match(url)
        if mention:
            self.entities.append({"type": "text_mention", **span, "_user_id": int(mention.group(1))})
            return
        url = url.strip()
        if not url or any(ch in SPACES for ch in url):
            return
        if not SCHEME.match(url):
            url = "http://" + url
        self.entities.append({"type": "text_link", **span, "url": url})


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Turn Telegram HTML into plain text and formatting entities, or raise Telegram's parse error."""
    text, entities = HtmlParser(source).parse()
    for entity in entities:
        entity.pop("_language", None)  # a <code> language only counts inside <pre>
    return text, entities
