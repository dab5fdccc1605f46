"""Configuration: config.yaml plus CIRCLEBOT__SECTION__KEY overrides, in frozen models."""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic import model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from bot.schedule import OFF, QuietHours, WeeklyTime, parse_time

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.yaml"
TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
PAYLOAD_SECRET_ENV = "CIRCLEBOT_PAYLOAD_SECRET"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the offending key."""


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TelegramConfig(_Section):
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    mode: Literal["polling", "webhook"] = "polling"
    poll_timeout: int = Field(10, ge=0, le=50)
    overall_max_rate: float = Field(30, gt=0)
    group_max_rate: float = Field(20, gt=0)
    max_retries: int = Field(3, ge=0, le=10)
    # The outbox's own pace (bot/gateway/pacing.py): below overall_max_rate so replies keep room.
    outbox_rate: float = Field(25, gt=0, le=30)
    # Notices sent as paid broadcasts (Telegram: up to 1000/s, 0.1 Star each).
    outbox_paid_rate: float = Field(1000, gt=0, le=1000)
    # Outbox sends in flight at once (rate × Telegram's round trip; more for paid broadcasts).
    outbox_concurrency: int = Field(8, ge=1, le=256)

    @field_validator("base_url", "base_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value


class WebhookConfig(_Section):
    url: str = ""
    listen: str = "127.0.0.1"
    port: int = Field(8443, ge=1, le=65535)
    path: str = "telegram"
    secret_token: SecretStr = SecretStr("")
    # Connections Telegram may open at once (setWebhook's max_connections): chats handled in parallel.
    max_connections: int = Field(40, ge=1, le=100)
    # Seconds a worker's claim on an update lasts (renewed while it runs); a dead worker's update
    # is handled by another one when Telegram redelivers it after this.
    claim_lease: float = Field(30, ge=3, le=600)

    @field_validator("secret_token")
    @classmethod
    def _secret_charset(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value()
        if raw and (len(raw) > 256 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in raw)):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value


class StorageConfig(_Section):
    url: str = "sqlite+aiosqlite:///data/circlebot.db"
    # Connections each process keeps open, and how many more it may open under load.
    pool_size: int = Field(5, ge=1, le=100)
    max_overflow: int = Field(10, ge=0, le=100)
    # PostgreSQL: seconds one statement may run before the server cancels it (0: no limit).
    statement_timeout: float = Field(30, ge=0, le=3600)

    def engine_options(self) -> dict[str, float | int]:
        """Keyword arguments for storage.db.Database.open."""
        return {"pool_size": self.pool_size, "max_overflow": self.max_overflow,
                "statement_timeout": self.statement_timeout}

    @field_validator("url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must be a sqlite+aiosqlite:// or postgresql+asyncpg:// URL")
        return value


class BotConfig(_Section):
    owners: tuple[int, ...] = ()
    default_language: Literal["en", "zh"] = "en"
    timezone: str = "UTC"
    concurrent_updates: int = Field(64, ge=1, le=1024)
    admin_cache_seconds: int = Field(600, ge=0)
    outbox_interval: float = Field(5, gt=0)
    # Seconds a sender holds a claimed notice; a notice claimed by a sender that died is sent after it.
    outbox_lease: float = Field(60, ge=5, le=3600)
    # Seconds between a worker's tries to become the one that runs the scheduled jobs (PostgreSQL):
    # when that worker dies, another takes over within about this long.
    leader_check: float = Field(10, ge=0.2, le=60)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}") from None
        return value


class LoggingConfig(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


DEFAULT_LEVELS = (0, 5, 20, 65, 155, 515, 2015, 8015, 33015)


class PointsConfig(_Section):
    """Points rules (SPEC §3); each rule can be overridden per community with /set points.<rule>."""

    message: int = Field(1, ge=0, le=1000)
    message_min_chars: int = Field(10, ge=0, le=4096)
    message_cooldown: int = Field(60, ge=0, le=86400)
    message_daily_cap: int = Field(30, ge=0, le=100000)
    reaction: int = Field(1, ge=0, le=1000)
    reaction_emojis: tuple[str, ...] = ("👍", "❤️", "🔥")
    reaction_daily_cap: int = Field(20, ge=0, le=100000)
    question: int = Field(2, ge=0, le=1000)
    question_daily_cap: int = Field(5, ge=0, le=100000)
    answer: int = Field(2, ge=0, le=1000)
    answer_accepted: int = Field(15, ge=0, le=1000)
    answer_accepted_asker: int = Field(2, ge=0, le=1000)
    checkin: int = Field(3, ge=0, le=1000)
    checkin_streak_bonus: int = Field(1, ge=0, le=1000)
    checkin_streak_max_bonus: int = Field(7, ge=0, le=1000)
    onboarding: int = Field(10, ge=0, le=1000)
    purchase: int = Field(5, ge=0, le=1000)
    referral: int = Field(20, ge=0, le=1000)  # the inviter, when a newcomer through their link finishes onboarding
    referral_purchase: int = Field(50, ge=0, le=1000)  # the inviter, on that newcomer's first Stars purchase
    announce_levels: bool = True
    levels: tuple[int, ...] = DEFAULT_LEVELS
    level_names: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _levels_ascend(self) -> PointsConfig:
        if not self.levels or self.levels[0] != 0 or any(a >= b for a, b in zip(self.levels, self.levels[1:])):
            raise ValueError("points.levels must start at 0 and strictly increase")
        if self.level_names and len(self.level_names) != len(self.levels):
            raise ValueError("points.level_names must be empty or name every level")
        return self


class RecommendConfig(_Section):
    """Recommendations: when each community's model is refitted."""

    refit_time: str = "03:30"  # the nightly refit, in each community's local time
    check_interval: float = Field(600, gt=0, le=86400)  # seconds between looks at how much the signals grew
    refit_growth: float = Field(0.2, gt=0, le=10)  # refit once the signals grew by this fraction since the fit

    @field_validator("refit_time")
    @classmethod
    def _time(cls, value: str) -> str:
        if parse_time(value) is None:
            raise ValueError("use HH:MM, e.g. 03:30")
        return value


class QaConfig(_Section):
    """Q&A (SPEC §4): lengths, similarity thresholds, paging and the search index."""

    min_question_chars: int = Field(10, ge=1, le=4096)
    min_answer_chars: int = Field(10, ge=1, le=4096)
    max_bounty: int = Field(10000, ge=0)
    suggest_threshold: float = Field(0.4, gt=0, le=1)
    faq_answer_threshold: float = Field(0.75, gt=0, le=1)
    max_suggestions: int = Field(3, ge=0, le=8)
    search_threshold: float = Field(0.1, ge=0, le=1)
    search_results: int = Field(5, ge=1, le=20)
    page_size: int = Field(5, ge=1, le=20)
    word_weight: float = Field(0.5, ge=0, le=1)
    index_refresh_docs: int = Field(200, ge=1)

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> QaConfig:
        if self.faq_answer_threshold < self.suggest_threshold:
            raise ValueError("qa.faq_answer_threshold must not be below qa.suggest_threshold")
        return self


class PaymentsConfig(_Section):
    """Paid content and memberships with Telegram Stars (SPEC §5)."""

    # Minutes an invoice can be paid before its order expires (pre-checkout refuses it then).
    order_ttl_minutes: int = Field(60, ge=1, le=7 * 24 * 60)
    # A chat the bot can post in (a private channel or group) where published content is
    # copied so it can be delivered later; 0 keeps only the file_id / text.
    storage_chat_id: int = 0
    # Highest Stars price an admin may set (Telegram's per-invoice limit is 10000).
    max_stars: int = Field(10000, ge=1, le=100000)
    # Seconds between passes that retry content deliveries that failed for a network reason.
    delivery_interval: float = Field(30, gt=0)
    # Attempts before a delivery is given up (the buyer can still open it from /mycontent).
    delivery_attempts: int = Field(8, ge=1, le=100)
    # Items per /catalog page.
    catalog_page_size: int = Field(8, ge=1, le=20)
    # Paid questions: the Stars a member pays to ask the admins in private (0 = off; /set ask_price),
    # the days they have to answer before the asker is refunded (/set ask_answer_days), and the
    # seconds between passes that refund questions left unanswered past that deadline.
    ask_price: int = Field(0, ge=0, le=10000)
    ask_answer_days: int = Field(3, ge=1, le=30)
    ask_check_interval: float = Field(300, gt=0, le=86400)
    # Hours after a purchase in which the buyer may refund it from /mycontent (0: off), and how
    # many such refunds a buyer gets per 30 days in a community. Defaults of /set settings.
    refund_window_hours: int = Field(0, ge=0, le=720)
    refunds_per_month: int = Field(2, ge=0, le=100)


class OnboardingConfig(_Section):
    """Joining and onboarding (SPEC §2); gate and tags are per-community defaults admins change with /set."""

    welcome_delay: float = Field(3, ge=0, le=300)
    welcome_max_mentions: int = Field(10, ge=1, le=50)
    gate: Literal["off", "rules", "request"] = "off"
    gate_timeout: int = Field(30, ge=1, le=1440)
    gate_check_interval: float = Field(30, gt=0, le=3600)
    tags: tuple[str, ...] = ()


# How each schedule field of the engagement section is read, whether it may be "off", and how a right one looks.
_SCHEDULE_FORMATS = {
    "digest_time": (parse_time, False, "a time of day is HH:MM"),
    "streak_reminder_time": (parse_time, False, "a time of day is HH:MM"),
    "weekly_board": (WeeklyTime.parse, True, 'a weekly time is like "mon 10:00", or "off"'),
    "quiet_hours": (QuietHours.parse, True, 'quiet hours are like "22:00-08:00", or "off"'),
}


class EngagementConfig(_Section):
    """Digests and the weekly board (SPEC §6); the times are per-community defaults admins change with /set."""

    check_interval: float = Field(60, gt=0, le=3600)  # seconds between looks at what is due
    digest_time: str = "09:00"
    group_digest: Literal["daily", "weekly", "off"] = "weekly"
    weekly_board: str = "mon 10:00"
    allow_paid_broadcast: bool = False
    member_digest: bool = True  # members get the daily digest unless they turn it off
    quiet_hours: str = "22:00-08:00"
    digest_items: int = Field(5, ge=1, le=10)  # new items, picks and questions listed per section
    reminders_per_week: int = Field(3, ge=0, le=14)  # at most this many reminders reach a member a week
    remind_inactive: bool = True  # a member quiet for 7 days hears what is new
    remind_streak: bool = True  # a member whose check-in streak ends tonight is told in the evening
    remind_unanswered: bool = True  # a question unanswered for a day reaches members who know its topic
    remind_expiring: bool = True  # a member whose membership ends within 3 days without renewing is told
    streak_reminder_time: str = "19:00"
    member_reminders: bool = True  # members get reminders unless they turn them off
    member_broadcasts: bool = True  # members get admins' broadcasts unless they turn them off
    # Where a plan is needed to join: hours between a membership's end and the member's removal.
    grace_hours: int = Field(48, ge=0, le=720)
    # An inviter gets 30 free days of membership for every this many paying newcomers (0: never).
    referral_reward_after: int = Field(0, ge=0, le=1000)

    @field_validator(*_SCHEDULE_FORMATS)
    @classmethod
    def _schedule(cls, value: str, info: ValidationInfo) -> str:
        read, may_be_off, hint = _SCHEDULE_FORMATS[info.field_name]
        if not (may_be_off and value == OFF) and read(value) is None:
            raise ValueError(hint)
        return value


class Settings(BaseSettings):
    """The whole configuration, loaded once at start."""

    model_config = SettingsConfigDict(
        frozen=True,
        extra="forbid",
        env_prefix="CIRCLEBOT__",
        env_nested_delimiter="__",
        nested_model_default_partial_update=True,
    )

    telegram: TelegramConfig = TelegramConfig()
    webhook: WebhookConfig = WebhookConfig()
    storage: StorageConfig = StorageConfig()
    bot: BotConfig = BotConfig()
    logging: LoggingConfig = LoggingConfig()
    onboarding: OnboardingConfig = OnboardingConfig()
    points: PointsConfig = PointsConfig()
    payments: PaymentsConfig = PaymentsConfig()
    qa: QaConfig = QaConfig()
    engagement: EngagementConfig = EngagementConfig()
    recommend: RecommendConfig = RecommendConfig()
    # Signs invoice payloads (HMAC-SHA256); only from the environment. Without it buying with Stars is off.
    payload_secret: SecretStr | None = Field(default=None, validation_alias=PAYLOAD_SECRET_ENV)

    @property
    def payload_key(self) -> bytes | None:
        """Return the payload signing key, or None when Stars buying is off."""
        secret = self.payload_secret.get_secret_value() if self.payload_secret is not None else ""
        return secret.encode() if secret else None

    @model_validator(mode="after")
    def _webhook_complete(self) -> Settings:
        if self.telegram.mode == "webhook":
            if not self.webhook.url:
                raise ValueError("webhook.url is required when telegram.mode is webhook")
            if not self.webhook.secret_token.get_secret_value():
                raise ValueError("webhook.secret_token is required when telegram.mode is webhook")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment beats the YAML file; explicit keyword arguments beat both.
        return (init_settings, env_settings, YamlConfigSettingsSource(settings_cls))


def load_settings(path: str | Path | None = None, **overrides: object) -> Settings:
    """Read the YAML file and the environment; raise ConfigError naming the bad key."""
    config_path = Path(path) if path else DEFAULT_CONFIG
    if path and not config_path.is_file():
        raise ConfigError(f"config file not found: {config_path}")

    class _FromFile(Settings):
        model_config = SettingsConfigDict(yaml_file=config_path if config_path.is_file() else None)

    try:
        return _FromFile(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
    except ValueError as exc:  # e.g. malformed YAML or env JSON
        raise ConfigError(f"config error: {exc}") from None


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or _key_from_message(err["msg"])
        lines.append(f"{key}: {err['msg']}")
    return "config error: " + "; ".join(lines)


def _key_from_message(message: str) -> str:
    # Cross-field checks name their key at the start of the message.
    words = message.removeprefix("Value error, ").split()
    return words[0] if words else "config"


def read_token() -> str:
    """Return the bot token from the environment, or raise ConfigError."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise ConfigError(f"{TOKEN_ENV} is not set: get a token from @BotFather and export it")
    return token
