"""Settings, from the environment and `.env` (every one is listed in `.env.example`)."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from zoneinfo import available_timezones

from dotenv import dotenv_values
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage import purge_ledger

_TOKEN_PATTERN = re.compile(r"^[0-9]{3,}:[A-Za-z0-9_-]{30,}$")
# Telegram allows 1-256 of these characters in a webhook's secret token; we ask for 16 or more.
_WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


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
    # `postgresql://user:password@host/db` selects PostgreSQL (storage/postgres.py), which
    # several workers can share; `sqlite:///path` or unset: the SQLite file above.
    database_url: str | None = None
    # Where purges are written down for a restore to replay (storage/purge_ledger.py); unset:
    # beside the SQLite file, or data/postgres.purges with PostgreSQL.
    purge_ledger_path: Path | None = None
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
    # Several processes on one PostgreSQL database: one silent this long is dead, and another
    # takes over what it was sending (bot/telegram/send_workers.py).
    worker_timeout_seconds: float = Field(default=60.0, ge=2.0, le=3600.0)
    log_level: str = "INFO"
    # An identity check for units whose setting is 'verifier' (bot/care/identity.py):
    # `package.module:factory`, provided by the deployment (BankID, Freja eID, ...).
    identity_verifier: str = ""
    # The supervisor (bot/supervisor.py): a loop silent this long is hung; an unhealthy
    # process exits after the grace, so systemd or Docker starts a fresh one.
    loop_hung_seconds: float = Field(default=120.0, gt=0)
    unhealthy_exit_grace_seconds: float = Field(default=30.0, ge=0)
    # Webhook mode (`python -m bot run --webhook`, bot/telegram/webhook.py): the public URL
    # Telegram posts to (its path is the path we serve), where we listen (behind a TLS proxy),
    # and the secret token Telegram sends with every post.
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_secret: str | None = None
    # The operations endpoint (bot/ops/endpoint.py): /healthz, /readyz, /metrics. Bound to
    # this host only; METRICS_PORT empty: no endpoint; 0: any free port (the log names it).
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = Field(default=9090, ge=0, le=65535)
    log_format: str = "text"  # or json: one JSON object per line (bot/ops/logs.py)

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

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_shape(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be the public https:// URL Telegram posts to")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret_shape(cls, value: str | None) -> str | None:
        if value is not None and not _WEBHOOK_SECRET_PATTERN.match(value):
            raise ValueError("must be 16 to 256 letters, digits, _ or - (Telegram's rule)")
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

    @field_validator("log_format")
    @classmethod
    def _log_format_known(cls, value: str) -> str:
        if value.lower() not in ("text", "json"):
            raise ValueError("must be text or json")
        return value.lower()

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

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str | None) -> str | None:
        if value and not value.startswith(("postgresql://", "postgres://", "sqlite:///")):
            raise ValueError("DATABASE_URL must start with postgresql:// or sqlite:///")
        return value

    @property
    def database_target(self) -> str | Path:
        """What storage.database opens: the PostgreSQL URL, or the SQLite file."""
        if self.database_url and not self.database_url.startswith("sqlite:///"):
            return self.database_url
        if self.database_url:
            return Path(self.database_url[len("sqlite://") :])
        return self.database_path

    @property
    def sqlite_file(self) -> Path | None:
        """The SQLite file in use, or None on PostgreSQL."""
        target = self.database_target
        return target if isinstance(target, Path) else None

    @property
    def purge_ledger_file(self) -> Path:
        if self.purge_ledger_path is not None:
            return self.purge_ledger_path
        if self.sqlite_file is not None:
            return purge_ledger.file_beside(self.sqlite_file)
        return Path("data") / f"postgres{purge_ledger.SUFFIX}"

    def require_token(self) -> str:
        if not self.telegram_bot_token:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and set it in the"
                " environment or in .env (or run `python -m bot demo` to try the bot without one)"
            )
        return self.telegram_bot_token

    def require_webhook(self) -> None:
        """`python -m bot run --webhook` needs the public URL and the secret token."""
        missing = [
            name
            for name, value in (
                ("WEBHOOK_URL", self.webhook_url),
                ("WEBHOOK_SECRET", self.webhook_secret),
            )
            if not value
        ]
        if missing:
            raise SettingsError(
                f"{' and '.join(missing)} must be set for --webhook (see docs/operations.md)"
            )


# Settings where an empty value means "off" rather than "the default" (every other empty
# setting is ignored, env_ignore_empty).
EMPTY_MEANS_OFF = ("metrics_port",)


def load_settings(**overrides: object) -> Settings:
    """Read the settings; a malformed one stops start-up with one clear message naming it."""
    for name in EMPTY_MEANS_OFF:
        if name not in overrides and _set_empty(name.upper()):
            overrides[name] = None
    try:
        return Settings(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name} is invalid: {message}") from None


def _set_empty(name: str) -> bool:
    """Whether `name` is set, and empty: in the environment, or else in `.env`."""
    if name in os.environ:
        return os.environ[name].strip() == ""
    dotenv = Path(".env")
    if not dotenv.is_file():
        return False
    value = dotenv_values(dotenv, encoding="utf-8").get(name)
    return value is not None and value.strip() == ""
