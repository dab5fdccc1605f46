"""Daily member digests, group digests and the weekly board: at the community's local time, once, skipped when empty."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from bot.clock import FakeClock
from bot.config import Settings
from bot.runner import BotRunner
from bot.schedule import local_now
from bot.services.engagement import due_runs
from bot.services.settings import EffectiveSettings
from jobs.engagement import ENGAGEMENT_JOB
from tests.content.flows import publish
from tests.fixtures import make_settings, run_job, stored

TUESDAY_EARLY = dt.datetime(2026, 1, 6, 5, 0, tzinfo=dt.UTC)
LONG = "This message is long enough to earn a point."


@pytest.fixture
def clock() -> FakeClock:
    """Tuesday before dawn: nothing is due when the bot starts."""
    return FakeClock(TUESDAY_EARLY)


@pytest.fixture
def settings(sim, db_urls) -> Settings:
    """The sweep runs only when a test asks for it (plus once at start).

    The simulator's flood limits are off here, and PTB's 20-a-minute group pacing would only
    hold the publishing steps these stories repeat.
    """
    return make_settings(sim, db_urls("bot.db"), engagement={"check_interval": 3600},
                         telegram={"group_max_rate": 1000})


async def sweep(runner: BotRunner) -> None:
    """Run the real engagement job now, then wait until the outbox has sent what it queued."""
    await run_job(runner, ENGAGEMENT_JOB)


async def digests_of(runner: BotRunner, user_id: int) -> list[str]:
    async with stored(runner.settings.storage.url) as repos:
        return [m.dedupe_key for m in await repos.outbox.list_for_chat(user_id) if m.kind == "engagement/digest"]


async def _member(runner: BotRunner, group, user) -> None:
    await user.start()
    await user.expect()
    await user.join(group)
    # Handled before the story moves the clock on: the simulator drops updates older than a day.
    await runner.wait_processed(group.sim.last_update_id)


async def test_a_member_gets_one_digest_at_the_local_digest_time_and_none_when_nothing_is_new(
    sim, runner, clock, group, alice, carol
) -> None:
    await _member(runner, group, alice)
    await publish(carol, group, "How we ship Python wheels, step by step.", "0 | Shipping wheels | python")
    clock.set(dt.datetime(2026, 1, 6, 8, 59, tzinfo=dt.UTC))
    await sweep(runner)
    assert await digests_of(runner, alice.id) == []
    clock.set(dt.datetime(2026, 1, 6, 9, 0, tzinfo=dt.UTC))
    await sweep(runner)
    digest = await alice.expect(contains="Your digest")
    assert "Shipping wheels" in digest.content and "free" in digest.content
    assert digest.buttons and "Stop these digests" in digest.button_texts
    clock.advance(hours=3)
    await sweep(runner)
    assert await digests_of(runner, alice.id) == [f"digest:{group.id}:{alice.id}:2026-01-06"]
    clock.set(dt.datetime(2026, 1, 7, 9, 30, tzinfo=dt.UTC))  # nothing new since yesterday: no digest
    await sweep(runner)
    assert len(await digests_of(runner, alice.id)) == 1


async def test_a_restart_on_the_same_day_sends_nothing_twice_and_a_missed_digest_goes_out_once(
    sim, runner, settings, clock, group, alice, carol
) -> None:
    await _member(runner, group, alice)
    await publish(carol, group, "Notes from the meetup, with slides.", "0 | Meetup notes | events")
    await runner.stop()
    clock.set(dt.datetime(2026, 1, 6, 11, 0, tzinfo=dt.UTC))  # the bot was down at 09:00
    again = BotRunner(settings, sim.token, clock=clock)
    await again.start()  # the sweep runs at start, by itself: nobody runs the job here
    try:
        await alice.expect(contains="Your digest", timeout=15)
    finally:
        await again.stop()
    again = BotRunner(settings, sim.token, clock=clock)
    await again.start()  # a second restart the same day, and a sweep on top of the one at start
    try:
        await sweep(again)
    finally:
        await again.stop()
    assert len(await digests_of(again, alice.id)) == 1
    assert sum("Your digest" in m.content for m in sim.bot_messages(None, alice)) == 1


async def test_quiet_hours_hold_the_digest_until_they_end(sim, runner, clock, group, alice, carol) -> None:
    await _member(runner, group, alice)
    await alice.send(None, "/set quiet_hours 08:00-10:30")
    await alice.expect(contains="✅")
    await publish(carol, group, "A checklist for code review.", "0 | Review checklist | process")
    clock.set(dt.datetime(2026, 1, 6, 9, 0, tzinfo=dt.UTC))
    await sweep(runner)
    assert len(await digests_of(runner, alice.id)) == 1
    assert not any("Your digest" in m.content for m in sim.bot_messages(None, alice))
    clock.set(dt.datetime(2026, 1, 6, 10, 30, tzinfo=dt.UTC))
    runner.app.bot_data.outbox.wake()
    assert "Review checklist" in (await alice.expect(contains="Your digest")).content


async def test_stop_these_turns_the_digest_off_for_the_presser_only(
    sim, runner, clock, group, alice, bob, carol
) -> None:
    await _member(runner, group, alice)
    await _member(runner, group, bob)
    await publish(carol, group, "Our style guide, explained.", "0 | Style guide | python")
    clock.set(dt.datetime(2026, 1, 6, 9, 0, tzinfo=dt.UTC))
    await sweep(runner)
    digest = await alice.expect(contains="Your digest")
    assert "每日摘要" in (await bob.expect(contains="每日摘要")).content  # Bob's Telegram is in Chinese
    answer = await alice.press(digest, "Stop these digests")
    assert answer.show_alert and "/set digest on" in answer.text
    forged = await alice.press_data(digest, "dg:stop:1002")
    assert forged.show_alert and "no longer valid" in forged.text
    await publish(carol, group, "More on the style guide.", "0 | Style guide II | python")
    clock.set(dt.datetime(2026, 1, 7, 9, 0, tzinfo=dt.UTC))
    await sweep(runner)
    assert len(await digests_of(runner, alice.id)) == 1 and len(await digests_of(runner, bob.id)) == 2


async def test_a_digest_lists_answers_to_my_questions_and_picks_i_do_not_own(
    sim, runner, clock, group, alice, bob, carol
) -> None:
    await _member(runner, group, alice)
    await _member(runner, group, bob)
    await alice.send(group, "/ask How do I profile a slow asyncio service?")
    post = await alice.expect(group, contains="Q#1")
    await bob.reply(post, "Use py-spy dump on the process and look at the event loop.")
    await publish(carol, group, "Paid deep dive into asyncio.", "25 | Asyncio deep dive | python")
    clock.set(dt.datetime(2026, 1, 6, 9, 0, tzinfo=dt.UTC))
    await sweep(runner)
    digest = await alice.expect(contains="Your digest")
    assert "Q#1 — Bob: Use py-spy" in digest.content and "Asyncio deep dive" in digest.content
    assert "⭐ 25" in digest.content


async def test_group_digest_on_monday_and_the_weekly_board_with_badges(
    sim, runner, clock, group, alice, bob, carol
) -> None:
    for user in (alice, bob):
        await _member(runner, group, user)
        await user.send(group, LONG)
    await runner.wait_processed(sim.last_update_id)  # earned at this moment, then past the cooldown
    await runner.app.bot_data.points_writer.flush()
    clock.advance(minutes=2)
    await alice.send(group, "Another message that is long enough to count.")
    await publish(carol, group, "The week's reading list.", "0 | Reading list | books")
    clock.set(dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC))  # Monday
    await sweep(runner)
    weekly = await carol.expect(group, contains="This week's digest")
    assert "Reading list" in weekly.content and "🥇 Alice" in weekly.content
    clock.set(dt.datetime(2026, 1, 12, 10, 0, tzinfo=dt.UTC))
    await sweep(runner)
    board = await carol.expect(group, contains="Top of the week")
    assert "🥇 Alice — 2 points" in board.content and "🥈 Bob — 1 point\n" in board.content
    await sweep(runner)
    assert sum("Top of the week" in m.content for m in sim.messages(group)) == 1
    async with stored(runner.settings.storage.url) as repos:
        assert "top_week" in await repos.badges.of(group.id, alice.id)


def test_one_digest_per_local_day_across_both_daylight_saving_changes() -> None:
    settings = EffectiveSettings("community", {
        "digest_time": "09:00", "group_digest": "off", "weekly_board": "off", "reminders.inactive": False,
        "reminders.unanswered": False, "reminders.expiring": False,
    }, ())
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    for start in (dt.datetime(2026, 3, 27, tzinfo=dt.UTC), dt.datetime(2026, 10, 23, tzinfo=dt.UTC)):
        first_due: dict[str, dt.datetime] = {}
        moment = start
        while moment < start + dt.timedelta(days=4):
            local = local_now(moment, "Europe/Berlin")
            for run in due_runs(settings, local):
                first_due.setdefault(run.period, local)
            moment += dt.timedelta(minutes=15)
        assert len(first_due) == 4
        for period, local in first_due.items():
            assert local.tzinfo is not None and local.astimezone(berlin).strftime("%H:%M") == "09:00", period


async def test_admins_preview_their_digest_and_see_the_last_run_without_names(
    sim, runner, clock, group, alice, carol
) -> None:
    await _member(runner, group, alice)
    await carol.send(group, "/digest preview")
    assert "press Start" in (await carol.expect(group, contains="private chat")).content
    await carol.start()
    await carol.expect()
    await carol.send(group, "/digest preview")
    assert "Nothing new" in (await carol.expect(group, contains="Nothing new")).content  # her own item is not news
    await alice.send(group, "/digest preview")
    await alice.expect(group, contains="admins")
    await carol.send(group, "/digest stats")
    await carol.expect(group, contains="No members' digest")
    await publish(carol, group, "Release notes for the new version.", "0 | Release notes | news")
    await carol.send(group, "/ask Which part of the release notes was unclear to you?")
    post = await carol.expect(group, contains="Q#1")
    await alice.reply(post, "The migration section could use an example.")
    await carol.send(group, "/digest preview")
    await carol.expect(group, contains="on its way")
    preview = await carol.expect(contains="Your digest")
    assert "Q#1 — Alice: The migration section" in preview.content
    clock.set(dt.datetime(2026, 1, 6, 9, 0, tzinfo=dt.UTC))
    await sweep(runner)
    await alice.expect(contains="Your digest")
    await carol.send(group, "/digest stats")
    stats = (await carol.expect(group, contains="2026-01-06")).content
    assert "Queued: 2" in stats and "Sent: 2" in stats and "Alice" not in stats and "Carol" not in stats


async def reminders_of(runner: BotRunner, user_id: int) -> list[str]:
    async with stored(runner.settings.storage.url) as repos:
        return [m.kind for m in await repos.outbox.list_for_chat(user_id) if m.kind.startswith("reminders/")]


async def test_a_member_quiet_for_a_week_is_reminded_once_of_what_is_new(
    sim, runner, clock, group, alice, bob, carol
) -> None:
    await _member(runner, group, alice)
    await _member(runner, group, bob)
    clock.set(dt.datetime(2026, 1, 12, 12, 0, tzinfo=dt.UTC))
    await bob.send(group, LONG)  # Bob was here yesterday
    await publish(carol, group, "This week's release notes.", "0 | Release notes | news")
    await runner.wait_processed(sim.last_update_id)
    await runner.app.bot_data.points_writer.flush()
    clock.set(dt.datetime(2026, 1, 13, 9, 0, tzinfo=dt.UTC))
    await sweep(runner)
    reminder = await alice.expect(contains="We haven't seen you")
    assert "1 new item" in reminder.content and "Stop these reminders" in reminder.button_texts
    assert await reminders_of(runner, bob.id) == []
    clock.set(dt.datetime(2026, 1, 14, 9, 0, tzinfo=dt.UTC))  # still quiet: the same spell, no second nudge
    await sweep(runner)
    assert await reminders_of(runner, alice.id) == ["reminders/inactive"]
    stopped = await alice.press(reminder, "Stop these reminders")
    assert stopped.show_alert and "/set reminders.inactive on" in stopped.text
    await alice.send(alice, "/settings")  # only this kind is off
    shown = (await alice.expect(contains="reminders (all kinds)")).text
    assert "reminders (all kinds): on" in shown and "…when I've been away a week: off" in shown
    assert "…when my streak ends tonight: on" in shown


async def test_a_streak_at_risk_is_flagged_in_the_evening_within_the_weekly_cap(
    sim, runner, clock, group, alice, bob, carol
) -> None:
    await _member(runner, group, alice)
    await _member(runner, group, bob)
    for user in (alice, bob):
        await user.send(group, "/checkin")
        await user.expect(group, contains="Checked in")
    clock.set(dt.datetime(2026, 1, 7, 12, 0, tzinfo=dt.UTC))
    await bob.send(group, "/checkin")  # Bob keeps his streak today
    await bob.expect(group, contains="Checked in")
    clock.set(dt.datetime(2026, 1, 7, 18, 59, tzinfo=dt.UTC))
    await sweep(runner)
    assert await reminders_of(runner, alice.id) == []
    clock.set(dt.datetime(2026, 1, 7, 19, 0, tzinfo=dt.UTC))
    await sweep(runner)
    assert "ends at midnight" in (await alice.expect(contains="streak")).content
    assert await reminders_of(runner, bob.id) == []
    await carol.send(group, "/set reminders_per_week 1")
    await carol.expect(group, contains="✅")
    await alice.send(group, "/checkin")  # the 7th, late: the streak goes on
    await alice.expect(group, contains="Checked in")
    clock.set(dt.datetime(2026, 1, 8, 19, 30, tzinfo=dt.UTC))  # at risk again, but this week's one is used
    await sweep(runner)
    assert await reminders_of(runner, alice.id) == ["reminders/streak"]


async def test_digests_go_out_as_paid_broadcasts_only_when_the_community_allows_it(
    sim, runner, clock, group, alice, carol
) -> None:
    await _member(runner, group, alice)
    await publish(carol, group, "A paid broadcast test post.", "0 | Broadcast notes | news")
    await carol.send(group, "/set allow_paid_broadcast on")
    await carol.expect(group, contains="✅")
    clock.set(dt.datetime(2026, 1, 6, 9, 0, tzinfo=dt.UTC))
    await sweep(runner)
    await alice.expect(contains="Your digest")
    sends = [r for r in sim.requests if r["method"] == "sendMessage" and str(r["params"].get("chat_id")) == str(alice.id)]
    assert sends[-1]["params"].get("allow_paid_broadcast") in (True, "true", "True")
    assert not any(r["params"].get("allow_paid_broadcast") for r in sends[:-1])  # the replies before were not paid


async def _interested(runner: BotRunner, group, user, tag: str) -> None:
    """Join, accept the rules and pick one interest in the survey."""
    await _member(runner, group, user)
    await user.start(f"join_{group.id}")
    survey = await user.expect(contains="rules")
    await user.press(survey, "I accept")
    await user.sim.wait_for(lambda: "interested" in survey.content)
    await user.press(survey, tag)
    await user.press(survey, "Done")
    await user.sim.wait_for(lambda: "all set" in survey.content)


async def test_a_question_unanswered_for_a_day_reaches_a_member_who_knows_its_topic(
    sim, runner, clock, group, alice, carol
) -> None:
    dave = sim.user("Dave", username="dave")
    await carol.send(group, "/set tags Python, Web")
    await carol.expect(group, contains="✅")
    await _interested(runner, group, alice, "Python")
    await _interested(runner, group, dave, "Web")
    await carol.send(group, "/ask How do I package a Python command-line tool?")
    await carol.expect(group, contains="Q#1")
    await runner.wait_processed(sim.last_update_id)
    clock.set(dt.datetime(2026, 1, 7, 9, 0, tzinfo=dt.UTC))
    await sweep(runner)
    ping = await alice.expect(contains="waited a day")
    assert "Q#1" in ping.content and "You know Python" in ping.content
    assert "reminders/unanswered" not in await reminders_of(runner, dave.id)
    assert "reminders/unanswered" not in await reminders_of(runner, carol.id)  # the asker
    clock.set(dt.datetime(2026, 1, 8, 9, 0, tzinfo=dt.UTC))
    await sweep(runner)
    assert (await reminders_of(runner, alice.id)).count("reminders/unanswered") == 1
