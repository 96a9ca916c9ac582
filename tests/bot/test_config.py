"""Settings: modes, defaults, and one clear line for every bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Mode, load_settings

VARS = [
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "PORT",
    "TURNABOUT_LEADS",
    "TURNABOUT_LEADS_CHANNEL",
    "TURNABOUT_CELEBRATION_CHANNEL",
    "TURNABOUT_CATALOGUE_FILE",
    "TURNABOUT_CONTENT_FILE",
    "TURNABOUT_MATCH_TIME_LIMIT",
    "TURNABOUT_RETENTION_DAYS",
    "LOG_LEVEL",
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARS:
        monkeypatch.delenv(name, raising=False)


def test_no_tokens_means_sandbox_with_sqlite_default() -> None:
    settings = load_settings(env_file=None)
    assert settings.mode is Mode.SANDBOX
    assert settings.database_url == "sqlite:///turnabout.db"
    assert settings.port == 3000
    assert settings.turnabout_retention_days == 30


def test_modes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    assert load_settings(env_file=None).mode is Mode.HTTP
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    assert load_settings(env_file=None).mode is Mode.SOCKET


def test_env_file_is_read_and_blank_values_are_unset(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "SLACK_BOT_TOKEN=xoxb-from-file\nSLACK_SIGNING_SECRET=s\nSLACK_APP_TOKEN=\nTURNABOUT_LEADS=U01,U02\n"
    )
    settings = load_settings(env_file=env)
    assert settings.mode is Mode.HTTP
    assert settings.turnabout_leads == ("U01", "U02")
    assert settings.is_lead("U02") and not settings.is_lead("U03")


def test_example_env_file_is_valid() -> None:
    settings = load_settings(env_file=Path(__file__).parents[2] / ".env.example")
    assert settings.mode is Mode.SANDBOX
    assert settings.turnabout_catalogue_file is None
    assert settings.turnabout_celebration_channel is None, "blank: no shout-outs offered"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("PORT", "eighty", "PORT"),
        ("PORT", "70000", "PORT"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "SLACK_BOT_TOKEN must be a bot token"),
        ("SLACK_APP_TOKEN", "xoxb-oops", "SLACK_APP_TOKEN must be an app-level token"),
        ("TURNABOUT_LEADS", "U01, alice", "TURNABOUT_LEADS expected Slack user IDs"),
        ("TURNABOUT_LEADS_CHANNEL", "#leads", "TURNABOUT_LEADS_CHANNEL expected a Slack channel ID"),
        ("TURNABOUT_CELEBRATION_CHANNEL", "#kudos", "TURNABOUT_CELEBRATION_CHANNEL expected a Slack channel ID"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL must be"),
        ("SLACK_API_URL", "localhost:8080", "SLACK_API_URL must be"),
        ("LOG_LEVEL", "chatty", "LOG_LEVEL must be"),
        ("TURNABOUT_MATCH_TIME_LIMIT", "soon", "TURNABOUT_MATCH_TIME_LIMIT"),
        ("TURNABOUT_MATCH_TIME_LIMIT", "0", "TURNABOUT_MATCH_TIME_LIMIT"),
        ("TURNABOUT_RETENTION_DAYS", "a month", "TURNABOUT_RETENTION_DAYS"),
        ("TURNABOUT_RETENTION_DAYS", "0", "TURNABOUT_RETENTION_DAYS"),
    ],
)
def test_bad_values_name_the_variable_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        load_settings(env_file=None)
    assert str(error.value).startswith(expected)
    assert "\n" not in str(error.value)


def test_half_configured_modes_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is required"):
        load_settings(env_file=None).check_for_mode()
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN is required"):
        load_settings(env_file=None).check_for_mode()


def test_postgres_urls_use_psycopg3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/t")
    assert load_settings(env_file=None).database_url == "postgresql+psycopg://u:p@db:5432/t"
