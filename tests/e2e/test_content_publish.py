"""/publish in both forms, /unpublish and /price, as admins and as members."""

from __future__ import annotations

import pytest

from bot.runner import BotRunner
from tests.content.flows import card, delivered, publish
from tests.fixtures import stored


pytestmark = pytest.mark.usefixtures("payload_secret")  # Stars buying on (tests/fixtures.py)


async def test_step_by_step_publish_with_cancel_and_bad_input(sim, runner, group, carol, alice) -> None:
    await carol.start()
    await carol.expect()
    await carol.send(None, "/publish")
    await carol.expect(contains="Send the content")
    await carol.send(None, "/cancel")
    await carol.expect(contains="cancelled")
    async with stored(runner.settings.storage.url) as repos:
        assert await repos.content.list_all() == []

    await carol.send(None, "/publish")
    await carol.expect(contains="Send the content")
    await carol.send_photo(None, b"\x89PNG fake", caption="SECRET-PHOTO <b>chart</b>")
    await carol.expect(contains="Title?")
    await carol.send(None, "Market chart")
    await carol.expect(contains="Price in Stars")
    await carol.send(None, "lots")
    await carol.expect(contains="whole number of Stars")
    await carol.send(None, "15")
    await carol.expect(contains="Tags")
    await carol.send(None, "markets, Charts")
    await carol.expect(contains="Anything else")
    await carol.send(None, "level=3 points=40")
    done = await carol.expect(contains="Published")
    assert "Market chart" in done.text and "⭐ 15" in done.text and "level 3" in done.text
    await carol.expect(group, contains="New in the catalog")
    async with stored(runner.settings.storage.url) as repos:
        items = await repos.content.list_all()
    assert [(i.kind, i.price_stars, i.price_points, i.min_level, i.tags) for i in items] == [
        ("photo", 15, 40, 3, ["markets", "charts"])
    ]
    await alice.start()
    await alice.expect()
    message = await card(alice, 1)
    assert "Reach level 3" in message.text
    alice.stars = 100
    await alice.press(message, "Buy for")
    assert (await alice.pay(await alice.expect())).ok
    photo = await alice.expect(contains="SECRET-PHOTO")
    assert "photo" in photo.extra


async def test_publish_one_line_rules(sim, runner, group, carol, alice) -> None:
    await alice.start()
    await alice.expect()
    await alice.join(group)
    body = await alice.send(group, "A member's note")
    await alice.reply(body, "/publish 5 | Mine | x")
    await alice.expect(group, contains="Only the community's admins")
    await carol.send(group, "/publish 5 | No reply | x")
    await carol.expect(group, contains="Reply to the message")
    await carol.send(group, "/publish")
    hint = await carol.expect(group, contains="step by step")
    assert hint.buttons[0]["url"].endswith("?start=publish")
    target = await carol.send(group, "SECRET-LINE")
    await carol.reply(target, "/publish 5 | Bad | x | vip")
    await carol.expect(group, contains="I don't understand")
    assert not target.deleted  # nothing was published, nothing deleted
    item_id = await publish(carol, group, "SECRET-OK", "0 | Free notes | notes")
    await carol.send(group, f"/price {item_id} 12")
    await carol.expect(group, contains="⭐ 12")
    await carol.send(group, f"/price {item_id} points 30")
    await carol.expect(group, contains="🪙 30 points")
    await carol.send(group, f"/unpublish {item_id}")
    await carol.expect(group, contains="out of the catalog")
    await carol.send(group, f"/unpublish {item_id}")
    await carol.expect(group, contains="already out of the catalog")
    await carol.send(group, "/unpublish 999")
    await carol.expect(group, contains="no item #999")
    await alice.start(f"item_{item_id}")
    assert "no item" in (await alice.expect()).text
    assert not delivered(sim, alice, "SECRET-OK")
    await carol.send(group, "/price")
    await carol.expect(group, contains="Usage: /price")


async def test_storage_chat_keeps_a_copy_and_delivery_uses_it(sim, db_urls, clock, carol, alice) -> None:
    from tests.fixtures import make_settings

    vault = sim.group("Vault", owner=carol, supergroup=True)
    settings = make_settings(sim, db_urls("vault.db"), payments={"storage_chat_id": vault.id})
    runner = BotRunner(settings, sim.token, clock=clock)
    await runner.start()
    try:
        await vault.add_bot(by=carol, admin=True)
        await carol.expect(vault, contains="Hello")
        group = sim.group("Stored Circle", owner=carol, supergroup=True)
        await group.add_bot(by=carol, admin=True)
        await carol.expect(group, contains="Hello")
        item_id = await publish(carol, group, "SECRET-VAULT body", "0 | Vault notes | x")
        copies = [m for m in sim.messages(vault) if "SECRET-VAULT" in m.content]
        assert len(copies) == 1 and copies[0].from_bot
        await alice.start()
        await alice.expect()
        await alice.press(await card(alice, item_id), "Open")
        await alice.expect(contains="SECRET-VAULT")
        copied = [r for r in sim.requests if r["method"].lower() == "copymessage"]
        assert len(copied) == 2  # into the vault at publish time, out of it at delivery
        copies[0].deleted = True  # someone cleaned the vault: the stored text still delivers
        await alice.press(await card(alice, item_id), "Open")
        await sim.wait_for(lambda: len(delivered(sim, alice, "SECRET-VAULT")) == 2)
    finally:
        await runner.stop()


async def test_step_by_step_asks_which_community_when_admin_of_several(sim, runner, group, carol) -> None:
    other = sim.group("Second Circle", owner=carol, supergroup=True)
    await other.add_bot(by=carol, admin=True)
    await carol.expect(other, contains="Hello")
    await carol.start()
    await carol.expect()
    await carol.send(None, "/publish")
    pick = await carol.expect(contains="Which community")
    assert sorted(pick.button_texts) == ["Python Circle", "Second Circle"]
    await carol.press(pick, "Second Circle")
    await carol.expect(contains="Publishing to Second Circle")
    await carol.send(None, "SECRET-SECOND notes")
    for answer, prompt in (("Second notes", "Price"), ("0", "Tags"), ("-", "Anything else")):
        await carol.send(None, answer)
        await carol.expect(contains=prompt)
    await carol.send(None, "members")
    await carol.expect(contains="Published")
    await carol.expect(other, contains="New in the catalog: #1 Second notes — 🔒 members")
    await carol.send(None, "/publish")
    pick = await carol.expect(contains="Which community")
    await carol.send(None, "/cancel")
    await carol.expect(contains="cancelled")
    answer = await carol.press(pick, "Python Circle")
    assert answer.show_alert and "no longer works" in (answer.text or "")


async def test_publishing_an_old_post_keeps_the_original_and_says_so(sim, runner, group, carol, clock) -> None:
    # Bots cannot delete messages older than 48 hours: the item is published all the same.
    content = await carol.send(group, "SECRET-OLD notes from last week")
    clock.advance(hours=49)
    command = await carol.reply(content, "/publish 0 | Old notes | notes")
    notice = await carol.expect(group, contains="couldn't delete the original")
    assert notice.reply_to is command
    await carol.expect(group, contains="New in the catalog")
    assert not content.deleted and not command.deleted  # deleteMessages failed as a whole
    assert any(e["description"] == "Bad Request: message can't be deleted" for e in sim.errors)
    async with stored(runner.settings.storage.url) as repos:
        assert [i.title for i in await repos.content.list_all()] == ["Old notes"]
