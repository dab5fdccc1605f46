"""A button press is checked against the message it sits on: altered data is refused and changes nothing."""

from __future__ import annotations

from tests.fixtures import stored

QUESTION = "How do I keep two SQLite writers from failing with 'database is locked'?"


async def test_list_and_faq_buttons_pressed_on_a_q_post_are_refused(sim, runner, group, alice) -> None:
    await alice.join(group)
    await alice.send(group, f"/ask {QUESTION}")
    post = await alice.expect(group, contains="Q#1")
    before = post.content
    for data in ("qa:pq:0", "qa:pf:0", "qa:fy:1", "qa:fn:1"):
        answer = await alice.press_data(post, data)
        assert answer.show_alert and "no longer valid" in (answer.text or ""), data
    assert post.content == before  # still the Q post, not a list or an FAQ answer


async def test_a_faq_feedback_pressed_on_the_top_reply_is_refused(sim, runner, group, alice) -> None:
    await alice.join(group)
    await alice.send(group, "/top")
    top = await alice.expect(group, contains="Top members")
    before = top.content
    answer = await alice.press_data(top, "qa:fn:1")
    assert answer.show_alert
    assert top.content == before


async def test_an_onboarding_button_pressed_in_the_group_changes_nothing(sim, runner, group, alice) -> None:
    await alice.join(group)
    await alice.send(group, "/top")
    top = await alice.expect(group, contains="Top members")
    before = top.content
    answer = await alice.press_data(top, f"onb:a:{group.id}")
    assert answer.show_alert and top.content == before
    async with stored(runner.settings.storage.url) as repos:
        state = await repos.onboarding.get(group.id, alice.id)
    assert state is None or state.rules_accepted_at is None


async def test_a_refused_press_in_a_chinese_community_is_chinese(sim, runner, group, carol, alice) -> None:
    await carol.send(group, "/set language zh")
    await carol.expect(group, contains="✅")
    await alice.join(group)
    await alice.send(group, "/top")
    top = await alice.expect(group)
    answer = await alice.press_data(top, "qa:pq:0")
    assert "按钮已经失效" in (answer.text or "")
