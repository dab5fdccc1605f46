"""Every per-community setting and member preference, each declared once.

A declaration says what `/set <name>` accepts (its kind, which parses, checks and shows the
value), where its default comes from (a path into the loaded config; none means "no value":
a built-in text, or the Telegram app's language), who may change it, where it is stored (a
column of `communities`, else a row keyed by its name in `community_settings` or
`user_settings`), the /settings section and label it is shown under, and what
`/set <name>` alone answers. Adding a setting is one entry in SETTINGS plus its messages.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.config import EngagementConfig, OnboardingConfig, PaymentsConfig, PointsConfig
from bot.errors import Usage
from bot.i18n import LANGUAGES
from bot.schedule import QuietHours, WeeklyTime
from bot.services.setting_kinds import Choice, Flag, Kind, Number, OffOr, Tags, Text, TimeOfDay, Translate, Zone

if TYPE_CHECKING:
    from bot.config import Settings
    from storage.repos import Repos

# Whose setting it is: a community's (changed by its admins in the group) or a member's own.
COMMUNITY = "community"
MEMBER = "member"
# Who may change it.
ADMINS = "admins"
SELF = "self"
RESET = "reset"

GATES = ("off", "rules", "request")
GATE_LABELS = ("settings.choice.gate.off", "settings.choice.gate.rules", "settings.choice.gate.request")
GROUP_DIGESTS = ("daily", "weekly", "off")
GROUP_DIGEST_LABELS = (
    "settings.choice.group_digest.daily", "settings.choice.group_digest.weekly", "settings.choice.group_digest.off",
)
LANGUAGE_LABELS = ("settings.choice.language.en", "settings.choice.language.zh")  # as bot.i18n.LANGUAGES
WEEKLY = OffOr(WeeklyTime.parse, "set.bad_weekly", "mon 10:00")  # a weekday and a local time, or off
WINDOW = OffOr(QuietHours.parse, "set.bad_window", "22:00-08:00")  # a daily window of local time, or off
MAX_WELCOME = 1000
MAX_RULES = 3000
MAX_TAGS = 12
MAX_TAG_CHARS = 32
# Set when the admins were told the bot lacks a right a gate needs; cleared when the gate
# or the bot's rights change, so they are told once per problem, not once per newcomer.
GATE_WARNING = "gate_warning"
POINTS_PREFIX = "points."

# The reminder kinds a member turns on and off one by one (beside `reminders`, which is all of them).
# Each kind's label and usage message in the member's /settings.
MEMBER_REMINDER_KINDS = {
    "inactive": ("settings.label.my_remind_inactive", "set.usage.my_remind_inactive"),
    "streak": ("settings.label.my_remind_streak", "set.usage.my_remind_streak"),
    "unanswered": ("settings.label.my_remind_unanswered", "set.usage.my_remind_unanswered"),
    "expiring": ("settings.label.my_remind_expiring", "set.usage.my_remind_expiring"),
}

# Runs inside the transaction that changes the setting: (repos, community or member id).
ChangeHook = Callable[["Repos", int], Awaitable[None]]


@dataclass(frozen=True, eq=False)
class Setting:
    """One setting: what it accepts, its default, its storage, who changes it, how it is shown."""

    name: str  # as typed after /set
    scope: str  # COMMUNITY or MEMBER
    kind: Kind
    section: str  # message key: the /settings section it is listed in
    label: str  # message key: its name in /settings
    usage: str  # message key: the answer to /set <name> without a value
    default: str | None = None  # path into the config, e.g. "onboarding.gate"; None: no value
    column: str | None = None  # a column of communities; None: a settings row keyed by name
    editor: str = ADMINS
    resettable: bool = True  # `/set <name> reset` goes back to the default
    unset: str = "settings.default"  # message key shown when there is no value
    params: Mapping[str, object] = field(default_factory=dict)  # more parameters of its messages
    on_change: ChangeHook | None = None

    @property
    def message_params(self) -> dict[str, object]:
        """Return the parameters every message about this setting gets."""
        return {"setting": self.name, **self.params}

    def parse(self, raw: str) -> Any:
        """Return the value /set text asks for (None: back to the default), or raise Usage."""
        text = raw.strip()
        if not text:
            raise Usage(self.usage, **self.message_params)
        if self.resettable and text.lower() == RESET:
            return None
        return self.kind.parse(text, self.message_params)

    def default_value(self, config: Settings) -> Any:
        """Return the default from the loaded config (None when there is none)."""
        if self.default is None:
            return None
        return functools.reduce(getattr, self.default.split("."), config)

    def in_force(self, value: Any, config: Settings) -> Any:
        """Return the value that applies when this one is stored (None: the default)."""
        return self.default_value(config) if value is None else value

    def show(self, value: Any, t: Translate) -> str:
        """Return the value in force as a reader sees it (plain text)."""
        if value is None or value == "" or value == ():
            return t(self.unset)
        return self.kind.show(value, t)

    def message_keys(self) -> tuple[str, ...]:
        """Return every message key this setting may show."""
        return (self.section, self.label, self.usage, self.unset, *self.kind.message_keys())


async def _forget_gate_warning(repos: Repos, community_id: int) -> None:
    await repos.settings.delete(community_id, GATE_WARNING)


def _points_number(rule: str, label: str, unit: str | None = "settings.unit.points") -> Setting:
    """A numeric points rule: default and bounds come from the config's points section."""
    kind = Number.of_field(PointsConfig, rule, "set.points_bad_number", unit)
    return Setting(
        POINTS_PREFIX + rule, COMMUNITY, kind, "settings.section.points", label, "set.points_bad_number",
        default=f"points.{rule}", params={"rule": rule},
    )


def _points_flag(rule: str, label: str) -> Setting:
    """A points rule that is on or off; the default comes from the config's points section."""
    return Setting(
        POINTS_PREFIX + rule, COMMUNITY, Flag("set.points_bad_bool"), "settings.section.points", label,
        "set.points_bad_bool", default=f"points.{rule}", params={"rule": rule},
    )


def _member_reminder(kind: str) -> Setting:
    """A member's switch for one kind of reminder (`/set reminders.<kind> on|off` in private)."""
    label, usage = MEMBER_REMINDER_KINDS[kind]
    return Setting(
        f"reminders.{kind}", MEMBER, Flag(), "settings.section.preferences", label, usage,
        default="engagement.member_reminders", editor=SELF,
    )


_GATE_TIMEOUT = Number.of_field(OnboardingConfig, "gate_timeout", "set.bad_gate_timeout", "settings.unit.minutes")
MAX_GATE_TIMEOUT = _GATE_TIMEOUT.high
_SECONDS = "settings.unit.seconds"

# In the order /set lists them and /settings shows them (sections in order of first use).
SETTINGS: tuple[Setting, ...] = (
    # The community itself.
    Setting(
        "language", COMMUNITY, Choice(LANGUAGES, "set.bad_language", LANGUAGE_LABELS), "settings.section.community",
        "settings.label.language", "set.usage.language",
        default="bot.default_language", column="language", resettable=False,
    ),
    Setting(
        "timezone", COMMUNITY, Zone(), "settings.section.community", "settings.label.timezone",
        "set.usage.timezone", default="bot.timezone", column="timezone", resettable=False,
    ),
    # Joining and onboarding.
    Setting(
        "welcome", COMMUNITY, Text(MAX_WELCOME), "settings.section.onboarding", "settings.label.welcome",
        "set.usage.welcome",
    ),
    Setting(
        "rules", COMMUNITY, Text(MAX_RULES), "settings.section.onboarding", "settings.label.rules",
        "set.usage.rules",
    ),
    Setting(
        "tags", COMMUNITY, Tags(MAX_TAGS, MAX_TAG_CHARS), "settings.section.onboarding", "settings.label.tags",
        "set.usage.tags", default="onboarding.tags", unset="settings.no_tags",
    ),
    Setting(
        "gate", COMMUNITY, Choice(GATES, "set.bad_gate", GATE_LABELS), "settings.section.onboarding",
        "settings.label.gate", "set.usage.gate", default="onboarding.gate", on_change=_forget_gate_warning,
    ),
    Setting(
        "gate_timeout", COMMUNITY, _GATE_TIMEOUT, "settings.section.onboarding", "settings.label.gate_timeout",
        "set.usage.gate_timeout", default="onboarding.gate_timeout",
    ),
    # Points rules (levels, their names and the reaction emojis stay global).
    _points_number("message", "settings.label.points.message"),
    _points_number("message_min_chars", "settings.label.points.message_min_chars", "settings.unit.chars"),
    _points_number("message_cooldown", "settings.label.points.message_cooldown", _SECONDS),
    _points_number("message_daily_cap", "settings.label.points.message_daily_cap", None),
    _points_number("reaction", "settings.label.points.reaction"),
    _points_number("reaction_daily_cap", "settings.label.points.reaction_daily_cap", None),
    _points_number("question", "settings.label.points.question"),
    _points_number("question_daily_cap", "settings.label.points.question_daily_cap", None),
    _points_number("answer", "settings.label.points.answer"),
    _points_number("answer_accepted", "settings.label.points.answer_accepted"),
    _points_number("answer_accepted_asker", "settings.label.points.answer_accepted_asker"),
    _points_number("checkin", "settings.label.points.checkin"),
    _points_number("checkin_streak_bonus", "settings.label.points.checkin_streak_bonus"),
    _points_number("checkin_streak_max_bonus", "settings.label.points.checkin_streak_max_bonus"),
    _points_number("onboarding", "settings.label.points.onboarding"),
    _points_number("purchase", "settings.label.points.purchase"),
    _points_number("referral", "settings.label.points.referral"),
    _points_number("referral_purchase", "settings.label.points.referral_purchase"),
    _points_flag("announce_levels", "settings.label.points.announce_levels"),
    # Digests and the weekly board, in the community's time zone.
    Setting(
        "digest_time", COMMUNITY, TimeOfDay(), "settings.section.engagement", "settings.label.digest_time",
        "set.usage.digest_time", default="engagement.digest_time",
    ),
    Setting(
        "group_digest", COMMUNITY, Choice(GROUP_DIGESTS, "set.bad_group_digest", GROUP_DIGEST_LABELS),
        "settings.section.engagement", "settings.label.group_digest", "set.usage.group_digest",
        default="engagement.group_digest",
    ),
    Setting(
        "weekly_board", COMMUNITY, WEEKLY, "settings.section.engagement", "settings.label.weekly_board",
        "set.usage.weekly_board", default="engagement.weekly_board",
    ),
    Setting(
        "allow_paid_broadcast", COMMUNITY, Flag(), "settings.section.engagement",
        "settings.label.allow_paid_broadcast", "set.usage.allow_paid_broadcast",
        default="engagement.allow_paid_broadcast",
    ),
    Setting(
        "reminders_per_week", COMMUNITY, Number.of_field(EngagementConfig, "reminders_per_week"),
        "settings.section.engagement", "settings.label.reminders_per_week", "set.usage.reminders_per_week",
        default="engagement.reminders_per_week",
    ),
    Setting(
        "reminders.inactive", COMMUNITY, Flag(), "settings.section.engagement", "settings.label.remind_inactive",
        "set.usage.remind_inactive", default="engagement.remind_inactive",
    ),
    Setting(
        "reminders.streak", COMMUNITY, Flag(), "settings.section.engagement", "settings.label.remind_streak",
        "set.usage.remind_streak", default="engagement.remind_streak",
    ),
    Setting(
        "reminders.unanswered", COMMUNITY, Flag(), "settings.section.engagement",
        "settings.label.remind_unanswered", "set.usage.remind_unanswered", default="engagement.remind_unanswered",
    ),
    Setting(
        "reminders.expiring", COMMUNITY, Flag(), "settings.section.engagement", "settings.label.remind_expiring",
        "set.usage.remind_expiring", default="engagement.remind_expiring",
    ),
    Setting(
        "referral_reward_after", COMMUNITY, Number.of_field(EngagementConfig, "referral_reward_after"),
        "settings.section.engagement", "settings.label.referral_reward_after", "set.usage.referral_reward_after",
        default="engagement.referral_reward_after",
    ),
    Setting(
        "grace_hours", COMMUNITY, Number.of_field(EngagementConfig, "grace_hours"), "settings.section.engagement",
        "settings.label.grace_hours", "set.usage.grace_hours", default="engagement.grace_hours",
    ),
    # Paid questions (/askpaid): the price in Stars (0: off) and the days admins have to answer.
    Setting(
        "ask_price", COMMUNITY, Number.of_field(PaymentsConfig, "ask_price", "set.bad_number", "settings.unit.stars"),
        "settings.section.paid_questions", "settings.label.ask_price", "set.usage.ask_price",
        default="payments.ask_price",
    ),
    Setting(
        "ask_answer_days", COMMUNITY,
        Number.of_field(PaymentsConfig, "ask_answer_days", "set.bad_number", "settings.unit.days"),
        "settings.section.paid_questions", "settings.label.ask_answer_days", "set.usage.ask_answer_days",
        default="payments.ask_answer_days",
    ),
    # The self-service refund window (/mycontent).
    Setting(
        "refund_window_hours", COMMUNITY, Number.of_field(PaymentsConfig, "refund_window_hours"),
        "settings.section.refunds", "settings.label.refund_window_hours", "set.usage.refund_window_hours",
        default="payments.refund_window_hours",
    ),
    Setting(
        "refunds_per_month", COMMUNITY, Number.of_field(PaymentsConfig, "refunds_per_month"),
        "settings.section.refunds", "settings.label.refunds_per_month", "set.usage.refunds_per_month",
        default="payments.refunds_per_month",
    ),
    # A member's own preferences, changed in the private chat.
    Setting(
        "language", MEMBER, Choice(LANGUAGES, "set.bad_language", LANGUAGE_LABELS), "settings.section.preferences",
        "settings.label.language", "set.usage.my_language", editor=SELF, unset="settings.language_auto",
    ),
    Setting(
        "digest", MEMBER, Flag(), "settings.section.preferences", "settings.label.digest", "set.usage.digest",
        default="engagement.member_digest", editor=SELF,
    ),
    Setting(
        "reminders", MEMBER, Flag(), "settings.section.preferences", "settings.label.reminders",
        "set.usage.reminders", default="engagement.member_reminders", editor=SELF,
    ),
    *(_member_reminder(kind) for kind in MEMBER_REMINDER_KINDS),
    Setting(
        "broadcasts", MEMBER, Flag(), "settings.section.preferences", "settings.label.broadcasts",
        "set.usage.broadcasts", default="engagement.member_broadcasts", editor=SELF,
    ),
    Setting(
        "quiet_hours", MEMBER, WINDOW, "settings.section.preferences", "settings.label.quiet_hours",
        "set.usage.quiet_hours", default="engagement.quiet_hours", editor=SELF,
    ),
)

_BY_NAME: dict[tuple[str, str], Setting] = {(s.scope, s.name): s for s in SETTINGS}
assert len(_BY_NAME) == len(SETTINGS), "two settings share a name in one scope"


def find_setting(scope: str, name: str) -> Setting | None:
    """Return the setting called name in a scope (names are case-insensitive), if any."""
    return _BY_NAME.get((scope, name.lower()))


def settings_in(scope: str) -> tuple[Setting, ...]:
    """Return a scope's settings in declaration order."""
    return tuple(s for s in SETTINGS if s.scope == scope)


def sections(scope: str) -> list[tuple[str, tuple[Setting, ...]]]:
    """Return a scope's /settings sections (title key, settings) in order of first declaration."""
    titles = list(dict.fromkeys(s.section for s in settings_in(scope)))
    return [(title, tuple(s for s in settings_in(scope) if s.section == title)) for title in titles]


def message_keys() -> frozenset[str]:
    """Return every message key a declaration names (the catalogs must have them all)."""
    # With the messages a new declaration's kind gets unless it names its own.
    defaults = (*Choice(()).message_keys(), *Flag().message_keys(), *Number(0, 0).message_keys())
    return frozenset((*defaults, *(key for s in SETTINGS for key in s.message_keys())))
