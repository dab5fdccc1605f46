"""Joining and onboarding end to end: welcome, deep link, rules, survey, profile, gates, migration."""

from __future__ import annotations

import re

import pytest

from bot.clock import FakeClock
from bot.config import Settings
from bot.runner import BotRunner
from bot.services.community_options import get_options
from bot.services.profile import get_profile
from tests.fixtures import make_settings
from tgsim import Simulator

FAST = {"welcome_delay": 0.3, "gate_check_interval": 0.1}


@pytest.fixture
def settings(sim: Simulator, db_urls) -> Settings:
    """Welcomes after 0.3 s and a gate pass every 0.1 s (real seconds; deadlines use the FakeClock)."""
    return make_settings(sim, db_urls("bot.db"), onboarding=FAST)


def welcomes(sim: Simulator, chat) -> list:
    return [m for m in sim.bot_messages(chat) if "Welcome to" in m.content]


def welcomed_count(message) -> int:
    """How many newcomers one welcome greets: mentions plus "and N more"."""
    mentions = sum(1 for e in message.entities if e["type"] == "text_mention")
    more = re.search(r" and (\d+) more!", message.content)
    return mentions + (int(more.group(1)) if more else 0)


def payload_of(welcome) -> str:
    url = welcome.buttons[0]["url"]
    assert url.startswith("https://t.me/circle_bot?start=")
    return url.split("start=", 1)[1]


async def onboard(sim: Simulator, user, group, tags: tuple[str, ...] = ()) -> object:
    """Open the deep link, accept the rules, pick tags, finish; return the (edited) message."""
    await user.start(f"join_{group.id}")
    msg = await user.expect(contains="rules")
    await user.press(msg, "I accept")
    await sim.wait_for(lambda: not any("I accept" in b for b in msg.button_texts))
    for tag in tags:
        await user.press(msg, tag)
        await sim.wait_for(lambda tag=tag: f"✅ {tag}" in msg.button_texts)
    if msg.buttons:
        await user.press(msg, "Done")
    await sim.wait_for(lambda: "all set" in msg.content)
    return msg


async def test_join_welcome_deep_link_rules_survey_profile_credited_once(
    sim: Simulator, runner: BotRunner, group, carol, alice
) -> None:
    await carol.send(group, "/set tags Python, Web, Data")
    await carol.expect(group, contains="✅ Saved. tags")
    await alice.join(group)
    welcome = await alice.expect(group, contains="Welcome to")
    assert any(e["type"] == "text_mention" and e["user"]["id"] == alice.id for e in welcome.entities)
    await alice.start(payload_of(welcome))
    msg = await alice.expect(contains="rules")
    await alice.press(msg, "I accept")
    await sim.wait_for(lambda: "interested" in msg.content)
    await alice.press(msg, "Python")
    await sim.wait_for(lambda: "✅ Python" in msg.button_texts)
    await alice.press(msg, "Data")
    await sim.wait_for(lambda: "✅ Data" in msg.button_texts)
    await alice.press(msg, "Done")
    await sim.wait_for(lambda: "all set" in msg.content)
    assert "Interests: Python, Data" in msg.content and "+10 points" in msg.content

    # The last button press delivered twice more, and the whole flow repeated: nothing new.
    done = max(u for u, e in sim.updates.all.items() if e.kind == "callback_query")
    await runner.wait_processed(max(sim.duplicate_update(done, times=2)))
    await alice.start(payload_of(welcome))
    again = await alice.expect(contains="all set")
    assert "+10" not in again.content
    await alice.press_data(msg, f"onb:d:{group.id}")  # a stale "Done" pressed again
    db = runner.app.bot_data.db
    async with db.read() as repos:
        assert await repos.points.count_reason(group.id, alice.id, "onboarding") == 1
        assert await repos.badges.of(group.id, alice.id) == ["newcomer"]
    await runner.wait_processed(sim.last_update_id)
    assert sum("Newcomer" in m.content for m in sim.bot_messages(group)) == 1

    await alice.send(None, "/me")
    me = await alice.expect(contains="Python Circle")
    assert "Interests: Python, Data" in me.content and "complete" in me.content


async def test_user_who_never_started_gets_group_welcome_only(sim: Simulator, runner: BotRunner, group) -> None:
    dave = sim.user("Dave <script>", username="dave")
    await dave.join(group)
    welcome = await dave.expect(group, contains="Welcome to")
    assert "Dave <script>" in welcome.content  # shown as the name, sent HTML-escaped
    await runner.wait_processed(sim.last_update_id)
    assert not [r for r in sim.requests if str(r["params"].get("chat_id")) == str(dave.id)]


@pytest.mark.flood_limits
async def test_burst_of_joins_gets_at_most_two_welcomes(sim: Simulator, runner: BotRunner, group) -> None:
    assert sim.flood.enabled  # the batching exists for Telegram's 20 messages a minute per group
    people = [sim.user(f"P{i}") for i in range(20)]
    for person in people:
        await person.join(group)
    await sim.wait_for(lambda: sum(welcomed_count(m) for m in welcomes(sim, group)) >= 20, timeout=10)
    assert 1 <= len(welcomes(sim, group)) <= 2
    assert sum(welcomed_count(m) for m in welcomes(sim, group)) == 20


async def test_pending_welcome_survives_a_restart(sim: Simulator, db_urls, clock: FakeClock, carol, alice) -> None:
    slow = make_settings(sim, db_urls("restart.db"), onboarding={"welcome_delay": 60})
    first = BotRunner(slow, sim.token, clock=clock)
    await first.start()
    group = sim.group("Python Circle", owner=carol, supergroup=True)
    try:
        await group.add_bot(by=carol, admin=True)
        await carol.expect(group, contains="Hello")
        await alice.join(group)
        await first.wait_processed(sim.last_update_id)
    finally:
        await first.stop()  # long before the welcome was due
    assert not welcomes(sim, group)
    fast = make_settings(sim, db_urls("restart.db"), onboarding=FAST)
    restarted = BotRunner(fast, sim.token, clock=clock)
    await restarted.start()
    try:
        await alice.expect(group, contains="Welcome to")
    finally:
        await restarted.stop()


async def _set(user, group, text: str, expect: str) -> str:
    await user.send(group, text)
    return (await user.expect(group, contains=expect)).content


async def test_gate_rules_restricts_until_accepted(sim: Simulator, runner: BotRunner, group, carol, alice) -> None:
    await _set(carol, group, "/set gate rules", "✅ Saved. gate")
    await alice.join(group)
    await sim.wait_for(lambda: group.member(alice).status == "restricted")
    assert not group.member(alice).permissions.get("can_send_messages")
    await alice.start(f"join_{group.id}")
    msg = await alice.expect(contains="rules")
    await alice.press(msg, "I accept")
    await sim.wait_for(lambda: group.member(alice).status == "member")
    await alice.send(group, "hello everyone")  # the simulator refuses messages from restricted users


async def test_gate_rules_removes_after_timeout_across_restart(
    sim: Simulator, runner: BotRunner, settings: Settings, clock: FakeClock, group, carol, alice, bob
) -> None:
    await _set(carol, group, "/set gate rules", "✅ Saved. gate")
    await _set(carol, group, "/set gate_timeout 10", "✅ Saved. gate timeout")
    await alice.join(group)
    await bob.join(group)
    await sim.wait_for(lambda: group.member(alice).status == group.member(bob).status == "restricted")
    clock.advance(minutes=9)
    await runner.wait_processed(sim.last_update_id)
    await runner.stop()
    clock.advance(minutes=2)  # the deadline passes while the bot is down
    restarted = BotRunner(settings, sim.token, clock=clock)
    await restarted.start()
    try:
        await sim.wait_for(lambda: not group.member(alice).active and not group.member(bob).active)
        assert group.member(alice).status == "left"  # removed, not banned: may rejoin
        await alice.join(group)
        await sim.wait_for(lambda: group.member(alice).status == "restricted")
    finally:
        await restarted.stop()


async def test_gate_request_approves_only_after_onboarding(sim: Simulator, runner: BotRunner, carol, alice) -> None:
    group = sim.group("Closed Circle", owner=carol, supergroup=True, join_by_request=True)
    await group.add_bot(by=carol, admin=True)
    await carol.expect(group, contains="Hello")
    await _set(carol, group, "/set tags Rust, Go", "✅ Saved. tags")
    await _set(carol, group, "/set gate request", "✅ Saved. gate")
    await alice.join(group)  # a join request: Telegram lets the bot write to the requester
    msg = await alice.expect(contains="rules")
    await alice.press(msg, "I accept")
    await sim.wait_for(lambda: "interested" in msg.content)
    await runner.wait_processed(sim.last_update_id)
    assert not group.member(alice).active
    await alice.press(msg, "Rust")
    await alice.press(msg, "Done")
    await sim.wait_for(lambda: group.member(alice).active)
    assert "approved" in msg.content
    await alice.expect(group, contains="Welcome to")


async def test_gate_without_rights_tells_admins_once(sim: Simulator, runner: BotRunner, carol) -> None:
    group = sim.group("Weak Circle", owner=carol, supergroup=True)
    await group.add_bot(by=carol, admin=True, can_restrict_members=False)
    await carol.expect(group, contains="Hello")
    reply = await _set(carol, group, "/set gate rules", "gate")
    await carol.expect(group, contains="can't restrict newcomers")  # the /set reply warns at once
    assert "✅" in reply
    before = sum("can't restrict newcomers" in m.content for m in sim.bot_messages(group))
    for name in ("Erin", "Frank", "Grace"):
        await sim.user(name).join(group)
    await carol.expect(group, contains="can't restrict newcomers")
    await carol.expect(group, contains="Welcome to")
    await runner.wait_processed(sim.last_update_id)
    assert sum("can't restrict newcomers" in m.content for m in sim.bot_messages(group)) == before + 1


async def test_leave_and_rejoin_keeps_the_profile(sim: Simulator, runner: BotRunner, group, carol, alice) -> None:
    await _set(carol, group, "/set tags Python, Web", "✅ Saved. tags")
    await _set(carol, group, "/set gate rules", "✅ Saved. gate")
    await alice.join(group)
    await onboard(sim, alice, group, ("Web",))
    await sim.wait_for(lambda: group.member(alice).status == "member")
    await alice.leave(group)
    await runner.wait_processed(sim.last_update_id)
    await alice.send(None, "/start")
    assert "not in a community yet" in (await alice.expect()).content
    await alice.join(group)
    await runner.wait_processed(sim.last_update_id)
    assert group.member(alice).status == "member"  # the rules were accepted before: no gate
    await alice.send(None, "/me")
    me = await alice.expect(contains="Python Circle")
    assert "Interests: Web" in me.content and "complete" in me.content
    async with runner.app.bot_data.db.read() as repos:
        assert await repos.points.count_reason(group.id, alice.id, "onboarding") == 1
    await carol.kick(group, alice)
    await runner.wait_processed(sim.last_update_id)
    async with runner.app.bot_data.db.read() as repos:
        assert (await repos.memberships.get(group.id, alice.id)).status == "kicked"
        assert await repos.onboarding.get(group.id, alice.id) is not None  # kept for a return


async def test_supergroup_migration_keeps_everything(sim: Simulator, runner: BotRunner, carol, alice) -> None:
    group = sim.group("Basic Circle", owner=carol, supergroup=False)
    await group.add_bot(by=carol, admin=True)
    await carol.expect(group, contains="Hello")
    await _set(carol, group, "/set tags Python, Web", "✅ Saved. tags")
    await _set(carol, group, "/set welcome Say hi in the chat!", "✅ Saved. welcome")
    await _set(carol, group, "/set gate rules", "✅ Saved. gate")
    await carol.expect(group, contains="only in supergroups")
    await _set(carol, group, "/set gate off", "✅ Saved. gate")
    await alice.join(group)
    await alice.expect(group, contains="Say hi in the chat!")
    await onboard(sim, alice, group, ("Python",))
    old_id = group.id

    supergroup = await group.migrate_to_supergroup()
    await runner.wait_processed(sim.last_update_id)
    db = runner.app.bot_data.db
    async with db.read() as repos:
        assert await repos.communities.get(old_id) is None
        assert (await repos.communities.get(supergroup.id)).chat_type == "supergroup"
        assert await repos.points.count_reason(supergroup.id, alice.id, "onboarding") == 1
    [entry] = await get_profile(db, alice.id)
    assert entry.community.id == supergroup.id and entry.tags == ["Python"] and entry.next_step == "done"
    options = await get_options(db, supergroup.id, runner.settings.onboarding)
    assert options.tags == ("Python", "Web") and options.welcome == "Say hi in the chat!"
    await carol.send(supergroup, "/settings")
    assert "Python, Web" in (await carol.expect(supergroup, contains="Settings of")).content
    bob = sim.user("Bob2")
    await bob.join(supergroup)
    welcome = await bob.expect(supergroup, contains="Welcome to")
    assert payload_of(welcome) == f"join_{supergroup.id}"


async def test_set_is_for_admins_and_validates(sim: Simulator, runner: BotRunner, group, carol, alice) -> None:
    await alice.join(group)
    await _set(alice, group, "/set gate rules", "Only the community's admins")
    await _set(alice, group, "/set welcome hacked", "Only the community's admins")
    db = runner.app.bot_data.db
    options = await get_options(db, group.id, runner.settings.onboarding)
    assert options.gate == "off" and options.welcome is None
    assert "Unknown gate" in await _set(carol, group, "/set gate maybe", "gate")
    assert "whole number of minutes" in await _set(carol, group, "/set gate_timeout 0", "minutes")
    assert "tags separated by commas" in await _set(carol, group, "/set tags , ,", "tags")
    assert "Usage: /set welcome" in await _set(carol, group, "/set welcome", "Usage")
    assert "/set gate off|rules|request" in await _set(carol, group, "/set", "Usage")
    assert "too long" in await _set(carol, group, "/set rules " + "x" * 3001, "too long")
    assert "Unknown language" in await _set(carol, group, "/set language xx", "language")
    assert await get_options(db, group.id, runner.settings.onboarding) == options

    await _set(carol, group, "/set rules Be kind.\nNo spam.", "✅ Saved. rules")
    await _set(carol, group, "/set gate_timeout 45", "✅ Saved. gate timeout")
    shown = await _set(carol, group, "/settings", "Settings of")
    assert "rules: Be kind. No spam." in shown and "gate: off (newcomers can talk at once)\n" in shown and "gate timeout: 45 min" in shown
    await alice.start(f"join_{group.id}")
    rules = await alice.expect(contains="rules")
    assert "Be kind.\nNo spam." in rules.content
    await _set(carol, group, "/set rules reset", "✅ Saved. rules")
    assert (await get_options(db, group.id, runner.settings.onboarding)).rules is None

    group.promote(alice)  # a chat_member update: the cached admin list is refreshed
    assert "Settings of" in await _set(alice, group, "/settings", "Settings of")


async def test_start_lists_communities_and_resumes(sim: Simulator, runner: BotRunner, group, carol, alice) -> None:
    await _set(carol, group, "/set tags Python, Web", "✅ Saved. tags")
    await alice.join(group)
    await alice.start(f"join_{group.id}")
    msg = await alice.expect(contains="rules")
    await alice.press(msg, "I accept")
    await sim.wait_for(lambda: "interested" in msg.content)
    await alice.start()  # came back later: where was I?
    overview = await alice.expect(contains="Python Circle")
    assert "next: pick your interests" in overview.content
    survey = await alice.expect(contains="interested")
    await alice.press(survey, "Done")
    await sim.wait_for(lambda: "all set" in survey.content)
    await alice.start()
    assert "all set" in (await alice.expect(contains="Python Circle")).content


async def test_member_from_before_the_bot_can_onboard(sim: Simulator, runner: BotRunner, carol) -> None:
    old_timer = sim.user("Olga")
    group = sim.group("Old Circle", owner=carol, supergroup=True)
    await old_timer.join(group)  # joined before the bot was there: no welcome, no row
    await group.add_bot(by=carol, admin=True)
    await carol.expect(group, contains="Hello")
    await old_timer.start(f"join_{group.id}")
    msg = await old_timer.expect(contains="rules")
    await old_timer.press(msg, "I accept")
    await sim.wait_for(lambda: "all set" in msg.content)  # no tags: no survey


async def test_onboarding_in_chinese(sim: Simulator, runner: BotRunner, carol, bob) -> None:
    group = sim.group("中文圈", owner=carol, supergroup=True)
    await group.add_bot(by=carol, admin=True)
    await carol.expect(group, contains="Hello")
    await _set(carol, group, "/set language zh", "✅")
    await bob.join(group)
    await bob.expect(group, contains="欢迎加入")
    await bob.start(f"join_{group.id}")
    msg = await bob.expect(contains="群规")
    await bob.press(msg, "我接受")
    await sim.wait_for(lambda: "入群引导" in msg.content)


async def test_a_join_after_an_earlier_welcome_is_welcomed_too(runner: BotRunner, group, alice, bob) -> None:
    await alice.join(group)
    await alice.expect(group, contains="Welcome to")
    await bob.join(group)
    welcome = await bob.expect(group, contains="Bob")
    assert "Welcome to" in welcome.content and "Alice" not in welcome.content
