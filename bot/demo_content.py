"""Demo scene: paid content — publish, catalog, a Stars purchase with delivery and rating, a refund."""

from __future__ import annotations

import re

from bot.demo_cast import Cast


async def scene_content(cast: Cast) -> None:
    """Carol publishes a paid guide; Alice buys it with Stars, rates it; Carol refunds her."""
    carol, alice, group = cast.carol, cast.alice, cast.group
    alice.stars = 200
    free = await carol.send(group, "Python's asyncio in 5 minutes: one event loop, many tasks, never block it.")
    await carol.reply(free, "/publish 0 | Asyncio in 5 minutes | python, async")
    await carol.expect(group, contains="New in the catalog")
    guide = await carol.send(group, "The full guide: structured concurrency with TaskGroup, timeouts, cancellation.")
    await carol.reply(guide, "/publish 50 | Structured concurrency guide | python, async | points=500")
    announcement = await carol.expect(group, contains="New in the catalog")
    item_id = int(re.search(r"#(\d+)", announcement.text or "").group(1))

    await alice.send(group, "/catalog")
    await alice.expect(group, contains="— catalog")
    await alice.start(f"item_{item_id}")
    item_card = await alice.expect(contains=f"#{item_id}")
    await alice.press(item_card, "Buy for")
    invoice = await alice.expect()
    payment = await alice.pay(invoice)
    content = await alice.expect(contains="TaskGroup")
    await alice.expect(contains="received")
    await alice.press(content, "5⭐")
    await alice.send(None, "/mycontent")
    await alice.expect(contains="Your content")

    # Refunds name the buyer: Carol runs them in her private chat with the bot.
    await carol.send(None, f"/refund {payment.charge_id}")
    await carol.expect(contains="Refunded")
    await alice.expect(contains="was refunded")
    await carol.send(None, f"/refund {payment.charge_id}")
    await carol.expect(contains="already refunded")
