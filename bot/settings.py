"""Settings, from the environment and `.env` (every one is listed in `.env.example`)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from zoneinfo import available_timezones

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_TOKEN_PATTERN = re.compile(r"^[0-9]{3,}:[A-Za-z0-9_-]{30,}$")


LONGEST_POLL_SECONDS = 35  # getUpdates' long poll (25 s) and its read margin


@cache
def _known_zones() -> set[str]:
    return available_timezones()  # reads the whole zone database: once per process is enough


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    telegram_bot_token: str | None = None
    telegram_api_base_url: str | None = None
    telegram_request_timeout_seconds: float = Field(default=10.0, gt=0)
    database_path: Path = Path("data/ikbt.sqlite3")
    programs_dir: Path | None = None
    questionnaires_dir: Path | None = None
    default_language: str = "sv"
    default_timezone: str = "Europe/Stockholm"  # of a unit that `staff add` creates
    invite_valid_days: int = Field(default=14, ge=1, le=90)
    tick_interval_seconds: float = Field(default=30.0, gt=0)
    fake_clock_file: Path | None = None
    break_routes: str = ""  # development only: routes that fail on purpose (comma-separated)
    # Development only (with a fake clock): transport waits (send limits, retry_after,
    # back-off) pass this many times faster; the test suite runs its scripts with it.
    transport_speedup: float = Field(default=1.0, ge=1.0, le=1000.0)
    # Requests to Telegram in flight at once (at most one per chat; one kept for safety).
    send_workers: int = Field(default=8, ge=1, le=64)
    log_level: str = "INFO"
    # An identity check for units whose setting is 'verifier' (bot/care/identity.py):
    # `package.module:factory`, provided by the deployment (BankID, Freja eID, ...).
    identity_verifier: str = ""
    # The supervisor (bot/supervisor.py): a loop silent this long is hung; an unhealthy
    # process exits after the grace, so systemd or Docker starts a fresh one.
    loop_hung_seconds: float = Field(default=120.0, gt=0)
    unhealthy_exit_grace_seconds: float = Field(default=30.0, ge=0)

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: str | None) -> str | None:
        if value is not None and not _TOKEN_PATTERN.match(value):
            raise ValueError("does not look like a bot token (digits:letters, from @BotFather)")
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url_shape(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://", value):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("default_language")
    @classmethod
    def _language_known(cls, value: str) -> str:
        if value not in ("sv", "en"):
            raise ValueError("must be sv or en")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _timezone_known(cls, value: str) -> str:
        if value not in _known_zones():
            raise ValueError("must be an IANA time zone, e.g. Europe/Stockholm")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level_known(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @model_validator(mode="after")
    def _hung_after_a_full_round(self) -> Settings:
        # A loop may rest a whole tick interval, and getUpdates waits up to 35 s for news.
        least = max(self.tick_interval_seconds, LONGEST_POLL_SECONDS) * 2
        if self.loop_hung_seconds < least:
            raise ValueError(f"LOOP_HUNG_SECONDS must be at least {least:.0f}")
        return self

    @model_validator(mode="after")
    def _speedup_only_with_a_fake_clock(self) -> Settings:
        # Telegram keeps its limits in real time: only the emulator may be sent to faster.
        if self.transport_speedup != 1.0 and self.fake_clock_file is None:
            raise ValueError("TRANSPORT_SPEEDUP is for development only (with FAKE_CLOCK_FILE)")
        return self

    def require_token(self) -> str:
        if not self.telegram_bot_token:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and set it in the"
                " environment or in .env (or run `python -m bot demo` to try the bot without one)"
            )
        return self.telegram_bot_token


def load_settings(**overrides: object) -> Settings:
    """Read the settings; a malformed one stops start-up with one clear message naming it."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name} is invalid: {message}") from None
