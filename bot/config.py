"""Configuration read from the environment and a `.env` file.

Every setting is documented in `.env.example`. A bad value must produce one line that names the variable,
because the people deploying this are HR tooling admins, not Python developers reading tracebacks.
"""

from __future__ import annotations

import enum
import re
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///turnabout.db"
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


class Mode(enum.StrEnum):
    """How the bot talks to Slack."""

    SOCKET = "socket"
    HTTP = "http"
    SANDBOX = "sandbox"


class Settings(BaseSettings):
    """All of Turnabout's settings. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    port: int = Field(default=3000, ge=1, le=65535)
    turnabout_leads: Annotated[tuple[str, ...], NoDecode] = ()
    turnabout_leads_channel: str | None = None
    # Where mentors who opt in at a cycle's close-out are celebrated (a public channel the bot is in); unset: no
    # shout-outs are offered.
    turnabout_celebration_channel: str | None = None
    turnabout_catalogue_file: Path | None = None
    turnabout_content_file: Path | None = None
    # How long a lead waits for `/mentoring match` at most; past it, the best pairs found so far, with how far
    # below the optimum they can be (realistic pools are solved exactly well within it).
    turnabout_match_time_limit: float = Field(default=30.0, gt=0, le=3600)
    # Days the data of someone who left (or whose Slack account was deactivated) is kept before it is deleted.
    turnabout_retention_days: int = Field(default=30, ge=1, le=3650)
    # Where the program is run from (an IANA zone): the leads' monthly digest arrives on the month's first
    # workday, in working hours there.
    turnabout_program_tz: str = "UTC"
    log_level: str = "INFO"

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_api_url",
        "turnabout_leads_channel",
        "turnabout_celebration_channel",
        "turnabout_catalogue_file",
        "turnabout_content_file",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `.env.example` copied as-is leaves `SLACK_APP_TOKEN=`; that means "not set", not "empty token".
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url", mode="before")
    @classmethod
    def _database_url(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip() or DEFAULT_DATABASE_URL
            # Hosting platforms hand out postgres:// or postgresql:// URLs; we ship the psycopg 3 driver.
            for prefix in ("postgres://", "postgresql://"):
                if value.startswith(prefix):
                    return "postgresql+psycopg://" + value[len(prefix) :]
            if not value.startswith(("sqlite:", "postgresql+psycopg:")):
                raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @field_validator("turnabout_leads", mode="before")
    @classmethod
    def _leads(cls, value: object) -> object:
        if isinstance(value, str):
            ids = tuple(part.strip() for part in value.split(",") if part.strip())
            bad = [i for i in ids if not _USER_ID.match(i)]
            if bad:
                raise ValueError(f"expected Slack user IDs like U012ABCDEF, got {', '.join(bad)}")
            return ids
        return value

    @field_validator("turnabout_leads_channel", "turnabout_celebration_channel")
    @classmethod
    def _leads_channel(cls, value: str | None) -> str | None:
        if value is not None and not _CHANNEL_ID.match(value):
            raise ValueError(f"expected a Slack channel ID like C012ABCDEF, got {value}")
        return value

    @field_validator("turnabout_program_tz", mode="before")
    @classmethod
    def _program_tz(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip() or "UTC"
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                raise ValueError(f"expected a time zone name like Europe/Berlin, got {value}") from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().upper() or "INFO"
            if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
                raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return value

    @property
    def mode(self) -> Mode:
        """Socket Mode with an app token, HTTP with a bot token, else the local sandbox."""
        if self.slack_app_token:
            return Mode.SOCKET
        if self.slack_bot_token or self.slack_signing_secret:
            return Mode.HTTP
        return Mode.SANDBOX

    def check_for_mode(self) -> None:
        """Refuse half-configured deployments with one line naming the missing setting.

        Raises:
            ConfigError: when the chosen mode lacks a setting it cannot run without.
        """
        if self.mode is Mode.SOCKET and not self.slack_bot_token:
            raise ConfigError("SLACK_BOT_TOKEN is required: Socket Mode (SLACK_APP_TOKEN is set) needs a bot token")
        if self.mode is Mode.HTTP:
            if not self.slack_bot_token:
                raise ConfigError("SLACK_BOT_TOKEN is required when SLACK_SIGNING_SECRET is set")
            if not self.slack_signing_secret:
                raise ConfigError(
                    "SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)"
                )

    def is_lead(self, user_id: str) -> bool:
        """Whether this Slack user is a program lead."""
        return user_id in self.turnabout_leads


def load_settings(*, env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Read settings, turning validation failures into a one-line `ConfigError`.

    Args:
        env_file: the dotenv file to read, or None to read only the environment.
        **overrides: explicit values (used by tests and the sandbox), taking precedence over the environment.

    Raises:
        ConfigError: naming the first bad variable and why.
    """
    try:
        return Settings(_env_file=env_file, **overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "configuration"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name} {message}") from None
