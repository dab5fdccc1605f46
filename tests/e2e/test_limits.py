"""Every text the bot sends fits Telegram's limits, however long the member's input was."""

from __future__ import annotations

from bot.views.limits import MAX_ALERT, MAX_TEXT, alert_text, fit_html, visible_length
from tgsim.entities import parse_html


def test_fit_html_keeps_short_texts_and_balances_cut_ones() -> None:
    assert fit_html("<b>a &lt; b</b>", 10) == "<b>a &lt; b</b>"
    cut = fit_html("<b>" + "x" * 50 + "</b> <i>tail</i>", 20)
    text, entities = parse_html(cut)
    assert text == "x" * 19 + "…" and entities[0]["type"] == "bold"
    cut = fit_html("&amp;" * 30, 10)
    assert cut == "&amp;" * 9 + "…" and visible_length(cut) == 10


def test_alerts_are_plain_and_short() -> None:
    assert alert_text("Send <code>/rate &lt;item id&gt;</code>") == "Send /rate <item id>"
    assert len(alert_text("y" * 500)) == MAX_ALERT


async def test_a_question_solved_by_a_very_long_faq_entry_is_shown_and_stays_readable(
    sim, runner, group, alice, carol
) -> None:
    await alice.join(group)
    question = "How do I reset my password? " + "Really, how? " * 310
    answer = "Send /reset to the bot in private."
    command = f"/faq add {question} | {answer}"
    assert len(command) > 4000  # a legal message, near Telegram's limit
    await carol.send(group, command)
    await carol.expect(group, contains="FAQ #1")
    await alice.send(group, f"/ask {question}")
    post = await alice.expect(group, contains="Q#1")
    offer = await alice.expect(group, contains="Did this answer your question")
    await alice.press(offer, "Yes")
    await sim.wait_for(lambda: "✅ Solved" in (post.text or ""))
    assert "FAQ #1" in post.text and len(post.text) <= MAX_TEXT
    await alice.send(group, "/q 1")
    shown = await alice.expect(group, contains="Q#1")
    assert "Solved" in shown.text and len(shown.text) <= MAX_TEXT
