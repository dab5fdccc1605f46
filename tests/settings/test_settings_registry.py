"""The settings registry and its setter/reader against a fresh database: every setting, both scopes."""

from __future__ import annotations

from typing import Any

import pytest

from bot.clock import FakeClock
from bot.config import PointsConfig, Settings
from bot.errors import NotFound, Usage
from bot.i18n import LANGUAGES, Translator
from bot.services.community_options import read_options
from bot.services.notices import private_language as user_language
from bot.services.points_rules import OVERRIDABLE, Scoring
from bot.services.setting_kinds import Choice, Flag, Number
from bot.services.settings import (
    do_set_community_setting,
    do_set_member_setting,
    get_community_settings,
    get_member_settings,
    get_user_language,
    pick_language,
)
from bot.services.settings_registry import (
    ADMINS,
    COMMUNITY,
    GATE_WARNING,
    MEMBER,
    SELF,
    SETTINGS,
    Setting,
    find_setting,
    message_keys,
    sections,
    settings_in,
)
from storage.db import Database

from .conftest import ALICE, CAROL, GROUP

C = GROUP.id

_POINT_LIMITS = {
    "message": 1000, "message_min_chars": 4096, "message_cooldown": 86400, "message_daily_cap": 100000,
    "reaction": 1000, "reaction_daily_cap": 100000, "question": 1000, "question_daily_cap": 100000,
    "answer": 1000, "answer_accepted": 1000, "answer_accepted_asker": 1000, "checkin": 1000,
    "checkin_streak_bonus": 1000, "checkin_streak_max_bonus": 1000, "onboarding": 1000, "purchase": 1000,
    "referral": 1000, "referral_purchase": 1000,
}

# Every community setting: values /set accepts (raw → stored) ...
GOOD: dict[str, list[tuple[str, Any]]] = {
    "language": [("zh", "zh"), (" EN ", "en")],
    "timezone": [("Asia/Shanghai", "Asia/Shanghai"), ("UTC", "UTC")],
    "welcome": [("  Hi there\nfriend ", "Hi there\nfriend"), ("x" * 1000, "x" * 1000)],
    "rules": [("Be kind.\nNo spam.", "Be kind.\nNo spam."), ("r" * 3000, "r" * 3000)],
    "tags": [(" Python ,web，数据、 python ", ("Python", "web", "数据")), ("solo", ("solo",))],
    "gate": [("RULES", "rules"), ("request", "request"), ("off", "off")],
    "gate_timeout": [("1", 1), ("1440", 1440)],
    **{f"points.{rule}": [("0", 0), (str(high), high)] for rule, high in _POINT_LIMITS.items()},
    "points.announce_levels": [("off", False), ("ON", True), ("no", False), ("1", True)],
    "digest_time": [("7:30", "07:30"), ("23:59", "23:59")],
    "group_digest": [("DAILY", "daily"), ("off", "off")],
    "weekly_board": [("Monday 9:00", "mon 09:00"), ("sun 18:30", "sun 18:30"), ("OFF", "off")],
    "allow_paid_broadcast": [("on", True), ("off", False)],
    "reminders_per_week": [("0", 0), ("14", 14)],
    "reminders.inactive": [("off", False), ("on", True)],
    "reminders.streak": [("no", False), ("yes", True)],
    "reminders.unanswered": [("off", False), ("on", True)],
    "reminders.expiring": [("off", False), ("on", True)],
    "grace_hours": [("0", 0), ("720", 720), ("24", 24)],
    "referral_reward_after": [("0", 0), ("3", 3)],
    "ask_price": [("0", 0), ("30", 30), ("10000", 10000)],
    "ask_answer_days": [("1", 1), ("30", 30)],
    "refund_window_hours": [("0", 0), ("72", 72), ("720", 720)],
    "refunds_per_month": [("0", 0), ("2", 2), ("100", 100)],
}
# ... and values it refuses, with the message the admin gets.
BAD: dict[str, list[tuple[str, str]]] = {
    "language": [("xx", "set.bad_language"), ("reset", "set.bad_language"), ("", "set.usage.language")],
    "timezone": [("Mars/Olympus", "set.bad_timezone"), ("reset", "set.bad_timezone"), ("  ", "set.usage.timezone")],
    "welcome": [("x" * 1001, "set.too_long"), ("   ", "set.usage.welcome")],
    "rules": [("r" * 3001, "set.too_long"), ("", "set.usage.rules")],
    "tags": [(" , ,", "set.bad_tags"), (",".join(f"t{i}" for i in range(13)), "set.bad_tags"),
             ("x" * 33, "set.bad_tags"), ("", "set.usage.tags")],
    "gate": [("maybe", "set.bad_gate"), ("", "set.usage.gate")],
    "gate_timeout": [("0", "set.bad_gate_timeout"), ("1441", "set.bad_gate_timeout"),
                     ("٣٠", "set.bad_gate_timeout"), ("-5", "set.bad_gate_timeout"), ("", "set.usage.gate_timeout")],
    **{
        f"points.{rule}": [(str(high + 1), "set.points_bad_number"), ("-1", "set.points_bad_number"),
                           ("lots", "set.points_bad_number"), ("", "set.points_bad_number")]
        for rule, high in _POINT_LIMITS.items()
    },
    "points.announce_levels": [("maybe", "set.points_bad_bool"), ("", "set.points_bad_bool")],
    "digest_time": [("24:00", "set.bad_time"), ("９:00", "set.bad_time"), ("9", "set.bad_time"),
                    ("", "set.usage.digest_time")],
    "group_digest": [("hourly", "set.bad_group_digest"), ("", "set.usage.group_digest")],
    "weekly_board": [("mo 10:00", "set.bad_weekly"), ("mon", "set.bad_weekly"), ("funday 10:00", "set.bad_weekly"),
                     ("", "set.usage.weekly_board")],
    "allow_paid_broadcast": [("maybe", "set.bad_flag"), ("", "set.usage.allow_paid_broadcast")],
    "reminders_per_week": [("15", "set.bad_number"), ("-1", "set.bad_number"), ("", "set.usage.reminders_per_week")],
    "reminders.inactive": [("sometimes", "set.bad_flag"), ("", "set.usage.remind_inactive")],
    "reminders.streak": [("2", "set.bad_flag"), ("", "set.usage.remind_streak")],
    "reminders.unanswered": [("x", "set.bad_flag"), ("", "set.usage.remind_unanswered")],
    "reminders.expiring": [("x", "set.bad_flag"), ("", "set.usage.remind_expiring")],
    "grace_hours": [("721", "set.bad_number"), ("-1", "set.bad_number"), ("", "set.usage.grace_hours")],
    "referral_reward_after": [("1001", "set.bad_number"), ("", "set.usage.referral_reward_after")],
    "ask_price": [("10001", "set.bad_number"), ("-5", "set.bad_number"), ("", "set.usage.ask_price")],
    "ask_answer_days": [("0", "set.bad_number"), ("31", "set.bad_number"), ("", "set.usage.ask_answer_days")],
    "refund_window_hours": [("721", "set.bad_number"), ("x", "set.bad_number"), ("", "set.usage.refund_window_hours")],
    "refunds_per_month": [("101", "set.bad_number"), ("-1", "set.bad_number"), ("", "set.usage.refunds_per_month")],
}
NAMES = [s.name for s in settings_in(COMMUNITY)]


async def _snapshot(db: Database) -> tuple[object, ...]:
    """Everything a /set could have written."""
    async with db.read() as repos:
        community = await repos.communities.get(C)
        return (
            community.language, community.timezone, await repos.settings.get_all(C), await repos.audit.list(C)
        )


def test_every_setting_is_declared_once_with_its_messages(t: Translator, config: Settings) -> None:
    assert len({(s.scope, s.name) for s in SETTINGS}) == len(SETTINGS)
    assert set(GOOD) == set(BAD) == set(NAMES), "every community setting needs rows in GOOD and BAD"
    for lang in LANGUAGES:
        assert message_keys() <= t.keys(lang), f"{lang} lacks {sorted(message_keys() - t.keys(lang))}"
    for setting in SETTINGS:
        setting.default_value(config)  # the default path names a config key
        assert setting.editor == (ADMINS if setting.scope == COMMUNITY else SELF)
    # The points rules an admin may change are the config's, except the global level tables.
    assert set(OVERRIDABLE) == set(PointsConfig.model_fields) - {"levels", "level_names", "reaction_emojis"}
    assert [title for title, _ in sections(COMMUNITY)] == [
        "settings.section.community", "settings.section.onboarding", "settings.section.points",
        "settings.section.engagement", "settings.section.paid_questions", "settings.section.refunds",
    ]
    assert [s.name for s in settings_in(MEMBER)] == [
        "language", "digest", "reminders", "reminders.inactive", "reminders.streak", "reminders.unanswered",
        "reminders.expiring", "broadcasts", "quiet_hours",
    ]


@pytest.mark.parametrize("name", NAMES)
async def test_good_values_are_stored_audited_and_read_back(
    db: Database, clock: FakeClock, config: Settings, name: str
) -> None:
    for raw, expected in GOOD[name]:
        clock.advance(seconds=1)
        assert await do_set_community_setting(db, clock, C, CAROL, name, raw) == expected
        assert (await get_community_settings(db, C, config))[name] == expected
        async with db.read() as repos:
            [entry, *_] = await repos.audit.list(C)
        stored = list(expected) if isinstance(expected, tuple) else expected
        assert (entry.action, entry.actor_id, entry.details) == (f"set.{name}", CAROL, {"value": stored})


@pytest.mark.parametrize("name", NAMES)
async def test_bad_values_get_their_message_and_write_nothing(
    db: Database, clock: FakeClock, t: Translator, name: str
) -> None:
    before = await _snapshot(db)
    for raw, key in BAD[name]:
        with pytest.raises(Usage) as caught:
            await do_set_community_setting(db, clock, C, CAROL, name, raw)
        assert caught.value.key == key, raw
        for lang in LANGUAGES:  # the message's placeholders are all filled
            assert t(lang, caught.value.key, **caught.value.params)
    assert await _snapshot(db) == before


@pytest.mark.parametrize("name", [n for n in NAMES if find_setting(COMMUNITY, n).resettable])
async def test_reset_restores_the_config_default(db: Database, clock: FakeClock, config: Settings, name: str) -> None:
    setting = find_setting(COMMUNITY, name)
    raw, value = GOOD[name][0]
    await do_set_community_setting(db, clock, C, CAROL, name, raw)
    assert (await get_community_settings(db, C, config)).is_set(name)
    assert await do_set_community_setting(db, clock, C, CAROL, name, "Reset") is None
    effective = await get_community_settings(db, C, config)
    assert effective[name] == setting.default_value(config) and not effective.is_set(name)
    async with db.read() as repos:
        assert name not in await repos.settings.get_all(C)
        assert (await repos.audit.list(C))[0].details == {"value": None}


async def test_defaults_come_from_the_config(db: Database, config: Settings) -> None:
    effective = await get_community_settings(db, C, config)
    assert effective["gate"] == "rules" and effective["gate_timeout"] == 15 and effective["tags"] == ("Rust", "Go")
    assert effective["points.message"] == 2 and effective["points.announce_levels"] is False
    assert effective["welcome"] is None and effective["points.checkin"] == 3
    assert not effective.is_set("gate")
    # The same values through the entry points the onboarding and points code use.
    async with db.read() as repos:
        options = await read_options(repos, C, config.onboarding)
        rules = await Scoring(config.points).rules(repos, C)
    assert (options.gate, options.gate_timeout, options.tags) == ("rules", 15, ("Rust", "Go"))
    assert rules == config.points


async def test_unusable_stored_values_fall_back_to_the_default(
    db: Database, clock: FakeClock, config: Settings
) -> None:
    async with db.transaction() as repos:
        await repos.settings.set(C, "gate", "sometimes", None, clock.now())
        await repos.settings.set(C, "points.message", "many", None, clock.now())
        await repos.settings.set(C, GATE_WARNING, clock.now().isoformat(), None, clock.now())  # not a setting
    effective = await get_community_settings(db, C, config)
    assert effective["gate"] == "rules" and effective["points.message"] == 2
    assert GATE_WARNING not in effective


async def test_gate_change_forgets_the_warning_and_points_rules_reach_scoring(
    db: Database, clock: FakeClock, config: Settings
) -> None:
    async with db.transaction() as repos:
        await repos.settings.set(C, GATE_WARNING, clock.now().isoformat(), None, clock.now())
    await do_set_community_setting(db, clock, C, CAROL, "gate", "request")
    async with db.read() as repos:
        assert await repos.settings.get(C, GATE_WARNING) is None

    scoring = Scoring(config.points)
    async with db.read() as repos:
        assert (await scoring.rules(repos, C)).message == 2  # now cached
    await do_set_community_setting(db, clock, C, CAROL, "points.message", "7", caches=(scoring,))
    await do_set_community_setting(db, clock, C, CAROL, "points.announce_levels", "on", caches=(scoring,))
    async with db.read() as repos:
        rules = await scoring.rules(repos, C)
    assert (rules.message, rules.announce_levels, rules.checkin) == (7, True, config.points.checkin)


async def test_unknown_names_and_communities_are_refused(db: Database, clock: FakeClock) -> None:
    before = await _snapshot(db)
    with pytest.raises(Usage) as caught:
        await do_set_community_setting(db, clock, C, CAROL, "points.bogus", "1")
    assert caught.value.key == "set.unknown"
    with pytest.raises(NotFound):
        await do_set_community_setting(db, clock, -100777, CAROL, "gate", "rules")
    assert await _snapshot(db) == before


def test_values_are_shown_in_the_readers_language(t: Translator) -> None:
    announce = find_setting(COMMUNITY, "points.announce_levels")
    cooldown = find_setting(COMMUNITY, "points.message_cooldown")
    welcome = find_setting(COMMUNITY, "welcome")
    zh = lambda key, **params: t("zh", key, **params)  # noqa: E731
    en = lambda key, **params: t("en", key, **params)  # noqa: E731
    assert (announce.show(True, zh), announce.show(False, zh)) == ("开", "关")
    assert (announce.show(True, en), announce.show(False, en)) == ("on", "off")
    assert cooldown.show(120, zh) == "120 秒" and cooldown.show(120, en) == "120 s"
    assert welcome.show(None, en) == "(default)"
    shown = welcome.show("word " * 40, en)
    assert len(shown) == 60 and shown.endswith("…") and "\n" not in welcome.show("a\nb", en)


async def test_member_language_preference(db: Database, clock: FakeClock, config: Settings, t: Translator) -> None:
    async with db.read() as repos:
        assert await get_user_language(repos, ALICE.id, "en-US", "zh") == "en"  # nothing chosen: Telegram's
    assert await do_set_member_setting(db, clock, ALICE, "language", "ZH") == "zh"
    assert (await get_member_settings(db, ALICE.id, config))["language"] == "zh"
    async with db.read() as repos:
        assert await get_user_language(repos, ALICE.id, "en-US", "en") == "zh"
        assert (await repos.users.get(ALICE.id)).first_name == "Alice"  # stored for the preference
        assert await repos.audit.list(C) == []  # a member's own choice is not an admin action
    with pytest.raises(Usage) as caught:
        await do_set_member_setting(db, clock, ALICE, "language", "klingon")
    assert caught.value.key == "set.bad_language" and t("zh", caught.value.key, **caught.value.params)
    with pytest.raises(Usage) as caught:
        await do_set_member_setting(db, clock, ALICE, "language", " ")
    assert caught.value.key == "set.usage.my_language"
    with pytest.raises(Usage):
        await do_set_member_setting(db, clock, ALICE, "gate", "rules")  # not a member's setting
    assert await do_set_member_setting(db, clock, ALICE, "language", "reset") is None
    effective = await get_member_settings(db, ALICE.id, config)
    assert effective["language"] is None and not effective.is_set("language")
    async with db.read() as repos:
        assert await get_user_language(repos, ALICE.id, "de", "zh") == "zh"  # unsupported app language: fallback
        assert await get_user_language(repos, ALICE.id, "en", "zh") == "en"


async def test_member_digest_and_quiet_hours(db: Database, clock: FakeClock, config: Settings) -> None:
    effective = await get_member_settings(db, ALICE.id, config)
    assert effective["digest"] is True and effective["quiet_hours"] == "22:00-08:00"
    assert await do_set_member_setting(db, clock, ALICE, "digest", "off") is False
    assert await do_set_member_setting(db, clock, ALICE, "quiet_hours", "23:00 - 7:00") == "23:00-07:00"
    assert await do_set_member_setting(db, clock, ALICE, "quiet_hours", "OFF") == "off"
    for raw in ("22:00-22:00", "22-08", "evening"):
        with pytest.raises(Usage) as caught:
            await do_set_member_setting(db, clock, ALICE, "quiet_hours", raw)
        assert caught.value.key == "set.bad_window"
    effective = await get_member_settings(db, ALICE.id, config)
    assert effective["digest"] is False and effective["quiet_hours"] == "off"


def test_pick_language() -> None:
    assert pick_language("zh", "en-US", "en") == "zh"
    assert pick_language(None, "zh-hans", "en") == "zh"
    assert pick_language(None, "de", "zh") == "zh"
    assert pick_language("xx", None, None) == "en"


async def test_private_notices_follow_the_preference(db: Database, clock: FakeClock) -> None:
    async with db.read() as repos:
        assert await user_language(repos, ALICE.id, C) == "en"  # unknown user: the community's language
    await do_set_member_setting(db, clock, ALICE, "language", "zh")
    async with db.read() as repos:
        assert await user_language(repos, ALICE.id, C) == "zh"
        assert await user_language(repos, ALICE.id, None) == "zh"


@pytest.mark.parametrize(("kind", "raw", "key"), [
    (Choice(("daily", "weekly")), "hourly", "set.bad_choice"),
    (Flag(), "maybe", "set.bad_flag"),
    (Number(1, 9), "10", "set.bad_number"),
])
def test_a_new_declaration_gets_generic_messages_for_bad_values(t: Translator, kind, raw: str, key: str) -> None:
    # What a new setting declares: only its label and its usage are its own messages.
    setting = Setting("digest", COMMUNITY, kind, "settings.section.community", "settings.label.language",
                      "set.usage.language")
    with pytest.raises(Usage) as caught:
        setting.parse(raw)
    assert caught.value.key == key
    for lang in LANGUAGES:
        assert "digest" in t(lang, caught.value.key, **caught.value.params)
    assert set(setting.message_keys()) <= message_keys()
