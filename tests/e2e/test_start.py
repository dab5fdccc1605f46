"""/start in private: one router sends each deep link to the feature that made it."""

from __future__ import annotations

import pytest

from bot.links import CATALOG, ITEM, JOIN, deep_link, decode_start


@pytest.mark.parametrize("payload", ["bogus_1", "join_x", "item_1_2", "join_" + "9" * 25, "<b>"])
async def test_a_link_the_bot_never_made_gets_the_overview(runner, alice, payload: str) -> None:
    await alice.start(payload)
    reply = await alice.expect(contains="Welcome, Alice")
    assert "not in a community yet" in reply.text


async def test_a_join_link_for_an_unknown_community_says_so(runner, alice) -> None:
    await alice.start("join_-100999")
    await alice.expect(contains="a community I don't know")  # routed to onboarding, which explains


def test_links_round_trip_through_the_codec() -> None:
    for kind, id in ((JOIN, -1001234567890), (ITEM, 7), (CATALOG, -100)):
        link = deep_link("circle_bot", kind, id)
        payload = link.split("start=", 1)[1]
        decoded = decode_start(payload)
        assert decoded is not None and (decoded.kind, decoded.id) == (kind, id)
