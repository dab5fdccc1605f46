"""HTML parse_mode as strict as Telegram's: tdlib's parse_html rules and error texts."""

from __future__ import annotations

import pytest
import telegram
from telegram.constants import ParseMode
from telegram.error import BadRequest

from tgsim import Simulator
from tgsim.errors import ApiError
from tgsim.html_parse import parse_html


@pytest.mark.parametrize(("source", "detail"), [
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("x <b", "Unclosed start tag at byte offset 2"),
    ("é <3 x", 'Unsupported start tag "3" at byte offset 3'),  # offsets count UTF-8 bytes
    ("<br>", 'Unsupported start tag "br" at byte offset 0'),
    ("<b/>", 'Unsupported start tag "b/" at byte offset 0'),
    ("<b x", 'Unclosed start tag "b" at byte offset 0'),
    ('<b x="y', "Unclosed start tag at byte offset 0"),
    ("<a href=x%>y</a>", "Unexpected end of name token at byte offset 8"),
    ('<a href="x"/>y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
    ("<span>s</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ("</b>", "Unexpected end tag at byte offset 0"),
    ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
    ('<tg-emoji emoji-id="">x</tg-emoji>', "Invalid custom emoji identifier specified"),
])
def test_parse_errors(source: str, detail: str) -> None:
    with pytest.raises(ApiError) as raised:
        parse_html(source)
    assert raised.value.code == 400
    assert raised.value.description == f"Bad Request: can't parse entities: {detail}"


def test_only_four_named_references_and_numeric_ones_decode() -> None:
    text, _ = parse_html("&lt;&gt;&amp;&quot; &#65;&#x42; &lt3 &nbsp; &copy; AT&T & &#X41; &#0;")
    assert text == "<>&\" AB <3 &nbsp; &copy; AT&T & &#X41; &#0;"


def test_supported_tags_and_their_entities() -> None:
    source = ('<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike>'
              '<del>d</del><code>c</code><pre><code class="language-py">p</code></pre>'
              '<a href="https://x.org/?a=1&amp;b=2">l</a><a href="tg://user?id=7">m</a>'
              '<tg-spoiler>t</tg-spoiler><span class="tg-spoiler">S</span><blockquote>q</blockquote>'
              '<blockquote expandable>x</blockquote><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
              '<B>upper</B><b>unclosed by name</>')
    text, entities = parse_html(source)
    assert text.startswith("bsieunskdcplmtSqx👍upper")
    kinds = [e["type"] for e in sorted(entities, key=lambda e: e["offset"])]
    assert kinds == ["bold", "bold", "italic", "italic", "underline", "underline", "strikethrough",
                     "strikethrough", "strikethrough", "code", "pre", "text_link", "text_mention", "spoiler",
                     "spoiler", "blockquote", "expandable_blockquote", "custom_emoji", "bold", "bold"]
    by_type = {e["type"]: e for e in entities}
    assert by_type["pre"]["language"] == "py" and by_type["text_link"]["url"] == "https://x.org/?a=1&b=2"
    assert by_type["text_mention"]["_user_id"] == 7 and by_type["custom_emoji"]["length"] == 2


async def test_the_bot_api_answers_400_cant_parse_entities(sim: Simulator, tg: telegram.Bot, alice) -> None:
    await alice.start()
    with pytest.raises(BadRequest, match='(?i)Can\'t parse entities: unsupported start tag "" at byte offset 2'):
        await tg.send_message(alice.id, "1 < 2", parse_mode=ParseMode.HTML)
    assert sim.errors[-1]["description"] == (
        "Bad Request: can't parse entities: Unsupported start tag \"\" at byte offset 2"
    )
    sent = await tg.send_message(alice.id, "1 &lt; 2 &amp; R&D", parse_mode=ParseMode.HTML)
    assert sent.text == "1 < 2 & R&D"
