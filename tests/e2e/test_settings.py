"""/set and /settings end to end: a Chinese community's points rules, a member's own language in private."""

from __future__ import annotations

from bot.runner import BotRunner
from tgsim import Simulator


async def test_points_rule_in_a_chinese_community_is_shown_with_chinese_words(
    sim: Simulator, runner: BotRunner, group, carol
) -> None:
    await carol.send(group, "/set language zh")
    await carol.expect(group, contains="✅")
    await carol.send(group, "/set points.message 3")
    assert "已保存。发言：+3" in (await carol.expect(group, contains="✅")).text
    await carol.send(group, "/set points.announce_levels off")
    assert "已保存。升级公告：关" in (await carol.expect(group, contains="✅")).text
    await carol.send(group, "/settings")
    shown = (await carol.expect(group, contains="的设置")).text
    lines = ("语言：中文（zh）", "发言：+3", "升级公告：关", "签到：+3", "门槛：关闭（off：新成员可以立即发言）", "门槛时限：30 分钟")
    for line in lines:
        assert line in shown, line
    assert ": off" not in shown and ": on" not in shown  # no English on/off words
    await carol.send(group, "/set points.announce_levels reset")
    assert "升级公告：开" in (await carol.expect(group, contains="✅")).text


async def test_member_language_in_private_changes_the_next_private_reply(
    sim: Simulator, runner: BotRunner, group, alice
) -> None:
    await alice.join(group)
    await alice.start()
    await alice.expect()
    await alice.send(None, "/help")
    assert "What you can do here" in (await alice.expect(contains="/settings")).text
    await alice.send(None, "/set language zh")
    assert "已保存。语言：中文（zh）" in (await alice.expect(contains="✅")).text  # the reply itself already follows
    await alice.send(None, "/help")
    assert "你在这里可以做的事" in (await alice.expect()).text
    await alice.send(group, "/help")  # the group keeps the community's language
    assert "Commands for members" in (await alice.expect(group, contains="Commands for")).text
    await alice.send(None, "/set language reset")
    assert "as in your Telegram app" in (await alice.expect(contains="✅")).text
    await alice.send(None, "/help")
    assert "What you can do here" in (await alice.expect()).text


async def test_settings_in_private_shows_the_members_own_preferences(sim: Simulator, runner: BotRunner, bob) -> None:
    await bob.start()  # Telegram says Chinese
    await bob.expect()
    await bob.send(None, "/settings")
    shown = (await bob.expect(contains="你的偏好")).text
    assert "语言：（跟随 Telegram 应用）" in shown
    await bob.send(None, "/set language EN")
    await bob.expect(contains="✅ Saved. language: English (en)")
    await bob.send(None, "/settings")
    shown = (await bob.expect(contains="Your preferences")).text
    assert "language: English (en)" in shown and "/set" in shown


async def test_set_in_private_knows_only_member_preferences(sim: Simulator, runner: BotRunner, group, alice) -> None:
    await alice.start()
    await alice.expect()
    await alice.send(None, "/set gate rules")  # a community's setting: for its admins only
    assert "Only the community's admins" in (await alice.expect()).text
    await alice.send(None, "/set frobnicate 1")
    listing = (await alice.expect(contains="Usage")).text
    assert "/set language en|zh" in listing and "gate" not in listing
    await alice.send(None, "/set language")
    assert "/set language reset" in (await alice.expect(contains="Usage")).text
    await alice.send(None, "/set language klingon")
    assert "Unknown language" in (await alice.expect(contains="language")).text
    await alice.send(None, "/settings")
    assert "language: (as in your Telegram app)" in (await alice.expect(contains="Your preferences")).text


async def test_member_language_wins_in_onboarding(sim: Simulator, runner: BotRunner, group, bob) -> None:
    await bob.join(group)
    await bob.start()
    await bob.expect()
    await bob.send(None, "/set language en")  # Bob's Telegram is Chinese, but he prefers English
    await bob.expect(contains="✅")
    await bob.start(f"join_{group.id}")
    rules = await bob.expect(contains="rules")
    assert "Please read the rules" in rules.text and rules.button_texts == ["✅ I accept"]
