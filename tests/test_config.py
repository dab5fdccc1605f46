"""Configuration: defaults, environment overrides and errors that name the key."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.config import ConfigError, load_settings, read_token


def test_defaults_load_from_bundled_yaml() -> None:
    settings = load_settings()
    assert settings.telegram.mode == "polling"
    assert settings.storage.url.startswith("sqlite+aiosqlite:///")


def test_environment_overrides_nested_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIRCLEBOT__TELEGRAM__BASE_URL", "http://127.0.0.1:9/bot")
    monkeypatch.setenv("CIRCLEBOT__BOT__OWNERS", "[7, 8]")
    settings = load_settings()
    assert settings.telegram.base_url == "http://127.0.0.1:9/bot"
    assert settings.bot.owners == (7, 8)
    assert settings.telegram.mode == "polling"  # the rest of the section still comes from YAML


def test_settings_are_frozen() -> None:
    settings = load_settings()
    with pytest.raises(Exception):
        settings.telegram.mode = "webhook"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("env", "value", "key"),
    [
        ("CIRCLEBOT__TELEGRAM__MODE", "pigeon", "telegram.mode"),
        ("CIRCLEBOT__BOT__TIMEZONE", "Mars/Olympus", "bot.timezone"),
        ("CIRCLEBOT__STORAGE__URL", "mysql://x", "storage.url"),
        ("CIRCLEBOT__TELEGRAM__POLL_TIMEOUT", "soon", "telegram.poll_timeout"),
        ("CIRCLEBOT__BOT__DEFAULT_LANGUAGE", "fr", "bot.default_language"),
        ("CIRCLEBOT__TELEGRAM__OUTBOX_RATE", "31", "telegram.outbox_rate"),  # above Telegram's 30/s
        ("CIRCLEBOT__TELEGRAM__OUTBOX_PAID_RATE", "1001", "telegram.outbox_paid_rate"),
        ("CIRCLEBOT__BOT__OUTBOX_LEASE", "1", "bot.outbox_lease"),
    ],
)
def test_bad_value_names_the_key(monkeypatch: pytest.MonkeyPatch, env: str, value: str, key: str) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_settings()


def test_webhook_mode_requires_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIRCLEBOT__TELEGRAM__MODE", "webhook")
    monkeypatch.setenv("CIRCLEBOT__WEBHOOK__URL", "https://example.org/telegram")
    with pytest.raises(ConfigError, match=r"webhook\.secret_token"):
        load_settings()


def test_unknown_key_in_file_is_rejected(tmp_path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("telegram:\n  base_urll: http://x\n")
    with pytest.raises(ConfigError, match=r"telegram\.base_urll"):
        load_settings(path)


def test_missing_token_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        read_token()


def test_cli_stops_with_message_naming_key(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    monkeypatch.setenv("CIRCLEBOT__TELEGRAM__MODE", "pigeon")
    assert main(["run"]) == 2
    assert "telegram.mode" in capsys.readouterr().err


def test_cli_run_without_token_fails_cleanly(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["run"]) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err
