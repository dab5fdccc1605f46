"""Replies read like a person wrote them: plurals, symbols, labels, lists and links in both languages."""

from __future__ import annotations

import logging

from bot.i18n import load_translator
from bot.views.base import NoticeEnv, listing
from tgsim.payments import InvoiceSpec, complete_payment

LONG = "This message is long enough to earn a point."


def test_counts_take_the_right_plural_in_english_and_none_in_chinese() -> None:
    t = load_translator()
    assert t("en", "content.state.points", points=1, count=1) == "🪙 1 point"
    assert t("en", "content.state.points", points=2, count=2) == "🪙 2 points"
    assert t("en", "unit.days", count=1) == "1 day"
    assert t("zh", "unit.days", count=1) == t("zh", "unit.days", count=2).replace("2", "1") == "1 天"
    # A key without plural forms still works when it gets a count.
    assert t("en", "welcome.more", count=1) == " and 1 more"


def test_lists_use_each_languages_separator(settings) -> None:
    env = {lang: NoticeEnv(load_translator(), lang, "circle_bot", settings) for lang in ("en", "zh")}
    assert listing(env["en"], ["🌱 Newcomer", "❓ Curious"]) == "🌱 Newcomer, ❓ Curious"
    assert listing(env["zh"], ["🌱 新成员", "❓ 好奇宝宝"]) == "🌱 新成员、❓ 好奇宝宝"


async def test_publish_usage_in_the_group_is_readable(sim, runner, group, carol) -> None:
    await carol.send(group, "/publish")
    usage = await carol.expect(group, contains="/publish")
    assert "<Stars> | <title>" in usage.content and "&lt;" not in usage.content


async def test_a_duplicated_publish_option_is_named_as_such(sim, runner, group, carol) -> None:
    post = await carol.send(group, "A post worth keeping for members.")
    await carol.reply(post, "/publish 5 | Guide | x | members | members")
    refusal = await carol.expect(group, contains="members")
    assert "twice" in refusal.content and "understand" not in refusal.content


async def test_one_point_and_one_day_are_singular(sim, runner, group, alice, carol) -> None:
    await alice.join(group)
    await alice.send(group, LONG)
    await carol.send(group, "/award @alice 1 thanks")
    assert "got +1 point: thanks" in (await carol.expect(group, contains="got +1")).content
    await alice.send(group, "/checkin")
    done = await alice.expect(group, contains="Checked in")
    assert "Streak: 1 day." in done.content and "day(s)" not in done.content


async def test_set_confirms_with_the_label_and_the_value_without_a_stray_full_stop(sim, runner, group, carol) -> None:
    rules = "Be kind and assume good intent. Search before you ask; share what you learn with everyone here."
    await carol.send(group, f"/set rules {rules}")
    done = (await carol.expect(group, contains="✅")).content
    assert done.startswith("✅ Saved. rules: Be kind") and done.endswith("…")
    await carol.send(group, "/set gate off")
    assert (await carol.expect(group, contains="✅")).content == "✅ Saved. gate: off (newcomers can talk at once)"


async def test_refund_texts_in_chinese_name_the_charge_in_chinese(sim, runner, group, carol) -> None:
    await carol.send(group, "/set language zh")
    await carol.expect(group, contains="✅")
    await carol.send(group, "/refund")
    usage = (await carol.expect(group, contains="/refund")).content
    assert "付款编号" in usage and "charge id" not in usage


async def test_me_in_private_links_the_next_onboarding_step(sim, runner, group, alice) -> None:
    await alice.start()
    await alice.expect()
    await alice.join(group)
    await runner.wait_processed(sim.last_update_id)
    await alice.send(None, "/me")
    me = await alice.expect(contains=group.title)
    assert "send me /start in private" not in me.content
    links = [e.get("url", "") for e in me.entities if e["type"] == "text_link"]
    assert any(f"start=join_{group.id}".replace("-", "") in link.replace("-", "") for link in links), links


async def test_a_payment_that_matches_no_order_is_refunded_without_an_error_log(
    sim, runner, group, alice, caplog
) -> None:
    await alice.start()
    await alice.expect()
    alice.stars = 100
    caplog.set_level(logging.WARNING)
    spec = InvoiceSpec("Junk", "junk", "not-a-payload", "XTR", 7)
    complete_payment(sim, alice.record, spec, None, first=True)
    notice = await alice.expect(contains="didn't match any order")
    assert "⭐ 7" in notice.content
    await sim.wait_until(lambda: _refunded(sim))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("matches no order" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


async def _refunded(sim) -> bool:
    return any(kind == "refund" for kind, _ in sim.payments.order)
