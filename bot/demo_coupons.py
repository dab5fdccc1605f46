"""Demo scene: a coupon purchase through a deep link, then a self-service refund within the window."""

from __future__ import annotations

import re

from bot.demo_cast import Cast


async def scene_coupons(cast: Cast) -> None:
    """Carol makes a launch code and opens a 72-hour refund window; Alice buys with the code, then refunds."""
    carol, alice, group = cast.carol, cast.alice, cast.group
    alice.stars = max(alice.stars, 200)
    guide = await carol.send(group, "Testing asyncio code: pytest-asyncio fixtures, fake clocks, no sleeps.")
    await carol.reply(guide, "/publish 60 | Testing asyncio | python, testing")
    announcement = await carol.expect(group, contains="New in the catalog")
    item_id = int(re.search(r"#(\d+)", announcement.text or "").group(1))
    await carol.send(group, f"/coupon add LAUNCH25 25% uses=100 item={item_id}")
    await carol.expect(group, contains="Coupon added")
    await carol.send(group, "/set refund_window_hours 72")
    await carol.expect(group, contains="Saved")

    # The launch post links to the item with the code: the invoice carries the discounted price.
    await alice.start(f"item_{item_id}_LAUNCH25")
    offer = await alice.expect(contains="instead of")
    await alice.press(offer, "Pay")
    invoice = await alice.expect()
    payment = await alice.pay(invoice)
    assert payment.ok, payment.error_message
    await alice.expect(contains="fake clocks")

    # Not what she hoped for: within 72 hours she refunds it herself from /mycontent.
    await alice.send(None, "/mycontent")
    mine = await alice.expect(contains="Your content")
    await alice.press(mine, "↩️")
    confirm = await alice.expect(contains="Refund ⭐")
    await alice.press(confirm, "Yes")
    await alice.expect(contains="went through")
    await carol.expect(contains="within the refund window")
    await carol.send(group, "/coupon list")
    await carol.expect(group, contains="LAUNCH25")
