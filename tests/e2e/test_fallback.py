"""Nothing goes unanswered: every private message and every button press gets a reply."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("/plan add Gold 100", "Only the community's admins"),  # admin commands work in private, for admins
        ("/refund stx123", "Only the community's admins"),
        ("/revenue", "Only the community's admins"),
        ("/community", "Only the community's admins"),
        ("/cancel", "nothing to cancel"),
        ("/frobnicate", "don't know that command"),
        ("how do I join?", "I answer commands"),
    ],
)
async def test_every_private_message_gets_an_answer(runner, alice, text: str, answer: str) -> None:
    await alice.start()
    await alice.expect()
    await alice.send(None, text)
    assert answer in (await alice.expect()).text


@pytest.mark.parametrize("data", ["x", "qa:zz:1", "a" * 64, "🔥", "onb:", "ct:", "ct:zz:1"])
async def test_a_press_no_handler_knows_is_answered(runner, alice, data: str) -> None:
    await alice.start()
    card = await alice.expect()
    answer = await alice.press_data(card, data)
    assert answer.show_alert and answer.text


async def test_a_chinese_member_is_answered_in_chinese(runner, bob) -> None:
    await bob.start()
    await bob.expect()
    await bob.send(None, "/frobnicate")
    assert "我不认识这个命令" in (await bob.expect()).text
