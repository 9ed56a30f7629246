"""Settings: a TOML file plus ``LEERVERHAAL_...`` environment variables.

Every setting is documented in ``config.example.toml``. Secrets (the bot token,
encryption keys, a database password) come from the environment or a file.
"""

from __future__ import annotations

import os
import re
import tomllib
from contextvars import ContextVar
from datetime import time, timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from flows.checkins.schedule import DAY_END, DAY_START, Hours
from flows.policy import PrivacyPolicy, Retention
from flows.teams.rhythm import DeliveryRhythm
from flows.teams.views import TeamRules

_CONFIG_FILE: ContextVar[Path | None] = ContextVar("config_file", default=None)
DEFAULT_CONFIG_NAME = "leerverhaal.toml"
NIGHT_ENDS, NIGHT_BEGINS = time(5), time(23)  # check-ins never go out at night


def default_data_dir() -> Path:
    """Where data lives when nothing is configured (XDG data home)."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "leerverhaal"


class ConfigError(ValueError):
    """The configuration cannot be used; the message says what to change."""


class WebhookSettings(BaseModel):
    """Webhook mode (``leerverhaal run --webhook``): Telegram POSTs updates to ``url``.

    The process listens on ``listen``:``port`` behind a reverse proxy that forwards
    ``url``'s path. The secret token comes from the environment
    (LEERVERHAAL_TELEGRAM__WEBHOOK__SECRET_TOKEN) or ``secret_token_file``.
    """

    url: str | None = None
    secret_token: SecretStr | None = None
    secret_token_file: Path | None = None
    listen: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    max_connections: int = Field(default=40, ge=1, le=100)

    def read_secret(self) -> str:
        """The secret Telegram sends with every update (1-256 of A-Z, a-z, 0-9, _ and -)."""
        secret = self.secret_token.get_secret_value().strip() if self.secret_token else ""
        if not secret and self.secret_token_file:
            try:
                secret = self.secret_token_file.expanduser().read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(f"cannot read the webhook secret file: {exc.strerror}") from None
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ConfigError(
                "webhook mode needs a secret token of 1-256 letters, digits, _ or -: set "
                "LEERVERHAAL_TELEGRAM__WEBHOOK__SECRET_TOKEN or telegram.webhook.secret_token_file"
            )
        return secret

    def public_url(self) -> str:
        """The URL Telegram posts to; it must be https (Telegram refuses plain http)."""
        if not self.url:
            raise ConfigError("webhook mode needs telegram.webhook.url (the public https URL)")
        return self.url

    @property
    def path(self) -> str:
        """The path of the public URL, where this process takes updates."""
        return urlsplit(self.url or "").path or "/"


class TelegramSettings(BaseModel):
    """How to reach Telegram."""

    token: SecretStr | None = None
    token_file: Path | None = None
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    poll_timeout: int = Field(default=30, ge=0, le=50)
    max_messages_per_second: float = Field(default=30.0, gt=0)
    read_timeout: float = Field(default=5.0, gt=0, le=120)  # seconds for a Bot API answer
    admins: list[int] = Field(default_factory=list)
    webhook: WebhookSettings = Field(default_factory=WebhookSettings)

    def read_token(self) -> str:
        """The bot token, from the environment or the token file."""
        if self.token and self.token.get_secret_value().strip():
            return self.token.get_secret_value().strip()
        if self.token_file:
            try:
                token = self.token_file.expanduser().read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(f"cannot read telegram.token_file: {exc.strerror}") from None
            if token:
                return token
        raise ConfigError(
            "no bot token: set LEERVERHAAL_TELEGRAM__TOKEN or telegram.token_file "
            "(get a token from @BotFather)"
        )


class CheckinSettings(BaseModel):
    """How check-ins are sent. Telegram allows about 30 messages a second overall.

    ``earliest`` and ``latest``: the local hours within which check-ins go out and people
    may choose their time (never at night: within 05:00-23:00).
    """

    enabled: bool = True
    earliest: time = DAY_START
    latest: time = DAY_END
    tick_seconds: int = Field(default=30, ge=1, le=3600)
    per_second: float = Field(default=28.0, gt=0, le=1000)
    batch_size: int = Field(default=200, ge=1, le=10_000)
    lease_seconds: int = Field(default=300, ge=10)
    concurrency: int = Field(default=8, ge=1, le=100)
    network_retries: int = Field(default=3, ge=0, le=10)

    @model_validator(mode="after")
    def _daytime(self) -> CheckinSettings:
        if not NIGHT_ENDS <= self.earliest < self.latest <= NIGHT_BEGINS:
            raise ValueError(
                "checkins.earliest must come before checkins.latest, both within 05:00-23:00"
            )
        return self

    def hours(self) -> Hours:
        """The allowed hours, as ``flows.checkins.schedule`` uses them."""
        return Hours(self.earliest, self.latest)


class EngineSettings(BaseModel):
    """How updates are handled: how many people at once, and how instances share work."""

    concurrency: int = Field(default=16, ge=1, le=256)
    claim_seconds: int = Field(default=30, ge=5, le=3600)
    lease_seconds: int = Field(default=20, ge=5, le=300)
    renew_seconds: int = Field(default=5, ge=1, le=100)

    @model_validator(mode="after")
    def _renew_within_lease(self) -> EngineSettings:
        if self.renew_seconds * 2 > self.lease_seconds:
            raise ValueError("engine.renew_seconds must be at most half of engine.lease_seconds")
        return self


class DatabaseSettings(BaseModel):
    """Where stories are kept. Empty url: a SQLite file in the data directory."""

    url: SecretStr | None = None
    echo: bool = False


class EncryptionSettings(BaseModel):
    """Keys for free text at rest (newest first). Empty: a key file in the data directory."""

    keys: SecretStr | None = None
    key_file: Path | None = None


class PrivacySettings(BaseModel):
    """Rules for what facilitators may see, and how long stories are kept."""

    min_group_size: int = 5
    retention_years: int | None = Field(default=None, ge=1, le=100)
    retention_days: int | None = Field(default=None, ge=14)

    @field_validator("min_group_size")
    @classmethod
    def _at_least_three(cls, value: int) -> int:
        if value < 3:
            raise ValueError("privacy.min_group_size must be at least 3")
        return value

    @model_validator(mode="after")
    def _one_retention_period(self) -> PrivacySettings:
        if self.retention_years is not None and self.retention_days is not None:
            raise ValueError("set privacy.retention_years or privacy.retention_days, not both")
        return self

    def policy(self) -> PrivacyPolicy:
        """The rules as the flows and the retention job use them."""
        retention = Retention(years=self.retention_years, days=self.retention_days)
        return PrivacyPolicy(self.min_group_size, retention)


class TeamSettings(BaseModel):
    """Teams, invites and the team photos facilitators receive unasked."""

    delivery_rhythm: DeliveryRhythm = DeliveryRhythm.MONTHLY
    delivery_hour: int = Field(default=9, ge=0, le=23)
    delivery_tick_seconds: int = Field(default=900, ge=10, le=86_400)
    join_attempts: int = Field(default=5, ge=1, le=100)
    join_lock_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    quotes: int = Field(default=3, ge=0, le=10)
    bot_username: str | None = None  # for invite links printed by the command line

    def rules(self) -> TeamRules:
        """The rules as the team flows use them."""
        lock = timedelta(minutes=self.join_lock_minutes)
        return TeamRules(
            join_attempts=self.join_attempts,
            join_lock=lock,
            quotes=self.quotes,
            delivery=self.delivery_rhythm,
        )


class LoggingSettings(BaseModel):
    """How much the bot logs. Logs never contain what people wrote, or their ids."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Settings(BaseSettings):
    """All settings of one installation."""

    model_config = SettingsConfigDict(
        env_prefix="LEERVERHAAL_", env_nested_delimiter="__", extra="forbid"
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    encryption: EncryptionSettings = Field(default_factory=EncryptionSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    checkins: CheckinSettings = Field(default_factory=CheckinSettings)
    engine: EngineSettings = Field(default_factory=EngineSettings)
    teams: TeamSettings = Field(default_factory=TeamSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_CONFIG_FILE.get())
        return (init_settings, env_settings, toml, file_secret_settings)

    @property
    def database_url(self) -> str:
        """The configured database URL, or the SQLite file in the data directory."""
        if self.database.url and self.database.url.get_secret_value():
            return self.database.url.get_secret_value()
        return f"sqlite:///{self.data_dir.expanduser() / 'leerverhaal.sqlite3'}"

    @property
    def key_file(self) -> Path:
        """The encryption key file."""
        return (self.encryption.key_file or self.data_dir / "secret.key").expanduser()


def config_path(explicit: str | Path | None) -> Path | None:
    """The config file to read: --config, then $LEERVERHAAL_CONFIG, then ./leerverhaal.toml."""
    if explicit:
        return Path(explicit)
    if env := os.environ.get("LEERVERHAAL_CONFIG"):
        return Path(env)
    local = Path(DEFAULT_CONFIG_NAME)
    return local if local.exists() else None


def _without_values(error: ValidationError) -> str:
    """What is wrong and where, never the value itself (it may be a misplaced secret)."""
    problems = [
        f"{'.'.join(str(part) for part in problem['loc']) or 'settings'}: {problem['msg']}"
        for problem in error.errors(include_url=False, include_input=False)
    ]
    return "invalid settings: " + "; ".join(problems)


def load_settings(explicit: str | Path | None = None) -> Settings:
    """Read the settings; raise ConfigError with a readable message when they are wrong."""
    path = config_path(explicit)
    if path is not None:
        if not path.exists():
            raise ConfigError(f"config file not found: {path}")
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path.name} is not valid TOML: {exc}") from None
        if "secret_token" in raw.get("telegram", {}).get("webhook", {}):
            raise ConfigError(
                "put the webhook secret in LEERVERHAAL_TELEGRAM__WEBHOOK__SECRET_TOKEN or "
                "telegram.webhook.secret_token_file, never in the config file"
            )
        if "nudges" in raw:
            raise ConfigError("the [nudges] section is now called [checkins]: rename it")
        if "token" in raw.get("telegram", {}):
            raise ConfigError(
                "put the bot token in LEERVERHAAL_TELEGRAM__TOKEN or telegram.token_file, "
                "never in the config file"
            )
    if any(name.startswith("LEERVERHAAL_NUDGES__") for name in os.environ):
        raise ConfigError("LEERVERHAAL_NUDGES__* is now LEERVERHAAL_CHECKINS__*: rename it")
    marker = _CONFIG_FILE.set(path)
    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigError(_without_values(exc)) from None
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    finally:
        _CONFIG_FILE.reset(marker)
