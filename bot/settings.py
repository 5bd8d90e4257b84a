"""Typed settings, read from the environment and `.env` only when `load_settings` is called,
and the rules a production secret must meet. What the secret key protects (sealed tokens,
hashed e-mails) is `bot.crypto`.

SQLAlchemy loads only when a database URL is checked, so that a command learns its
language (`operator_language`) before anything heavy loads.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigError
from bot.i18n import language_for

SLACK_DEFAULT_API_URL = "https://slack.com/api/"
_PLACEHOLDER = re.compile(
    r"^(|changeme|change[-_ ]?me|placeholder|secret|todo|xxx+|\.\.\.|<.*>|your[-_].*|"
    r"xox[bpa]-your.*|xapp-your.*|xox[bpa]-x+.*)$",
    re.IGNORECASE,
)
_PLACEHOLDER_WORDS = re.compile(
    r"change[-_ ]?me|replace[-_ ]?me|placeholder|example|dummy|passw(?:or|0r)d|your[-_ ]",
    re.IGNORECASE,
)
MIN_SECRET_LENGTH = 16
MIN_SECRET_BITS = 64
"""Each character weighs log2(length / its count): a secret must add up to this many bits."""
RULE = (
    f"each secret needs at least {MIN_SECRET_LENGTH} characters, about {MIN_SECRET_BITS} bits "
    "of randomness (few repeated characters) and no placeholder words"
)
IDENTIFIERS = frozenset({"slack_client_id", "teams_app_id"})
"""Required but not secret: only checked to be set."""


class Platform(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"


def _env(default: Any, name: str, *more: str) -> Any:
    return Field(default, validation_alias=AliasChoices(name, *more))


class OperatorLanguage(BaseSettings):
    """The settings that say the operator's language, read as `Settings` reads them (it
    extends this class) without the others: the CLI learns its language cheaply."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    language: Literal["en", "fr"] | None = _env(None, "ENGAGE_LANGUAGE")
    """The operator's language (CLI, demo, console); None: the process locale's."""
    secrets_dir: str = _env("", "ENGAGE_SECRETS_DIR")

    @field_validator("language", mode="before")
    @classmethod
    def _blank_language(cls, value: object) -> object:
        return value.strip().lower() or None if isinstance(value, str) else value


class Settings(OperatorLanguage):
    """Every knob Engage has. `.env.example` documents each one with its default."""

    env: Literal["dev", "prod"] = _env("dev", "ENGAGE_ENV")
    database_url: str = _env("sqlite:///engage.db", "ENGAGE_DATABASE_URL")
    host: str = _env("127.0.0.1", "ENGAGE_HOST")
    port: int = _env(3000, "ENGAGE_PORT")
    log_level: str = _env("INFO", "ENGAGE_LOG_LEVEL")
    platforms: Annotated[tuple[Platform, ...], NoDecode] = _env(
        (Platform.SLACK, Platform.TEAMS), "ENGAGE_PLATFORMS"
    )
    min_group_size: int = _env(5, "ENGAGE_MIN_GROUP_SIZE")
    social_proof_min: int = _env(3, "ENGAGE_SOCIAL_PROOF_MIN")
    person_stats: Literal["on", "off"] = _env("on", "ENGAGE_PERSON_STATS")
    consent_mode: Literal["opt_in", "opt_out"] = _env("opt_in", "ENGAGE_CONSENT_MODE")
    max_per_week: int = _env(1, "ENGAGE_MAX_PER_WEEK")
    default_locale: Literal["en", "fr"] = _env("en", "ENGAGE_DEFAULT_LOCALE")
    raw_retention_days: int = _env(30, "ENGAGE_RAW_RETENTION_DAYS")
    rollup_retention_days: int = _env(400, "ENGAGE_ROLLUP_RETENTION_DAYS")
    outbox_retention_days: int = _env(90, "ENGAGE_OUTBOX_RETENTION_DAYS")
    audit_retention_days: int = _env(400, "ENGAGE_AUDIT_RETENTION_DAYS")
    fold_interval_seconds: float = _env(2.0, "ENGAGE_FOLD_INTERVAL_SECONDS")
    fold_max_delay_seconds: float = _env(30.0, "ENGAGE_FOLD_MAX_DELAY_SECONDS")
    deliver_interval_seconds: float = _env(5.0, "ENGAGE_DELIVER_INTERVAL_SECONDS")
    delivery_concurrency: int = _env(8, "ENGAGE_DELIVERY_CONCURRENCY")
    delivery_lease_seconds: float = _env(120.0, "ENGAGE_DELIVERY_LEASE_SECONDS")
    delivery_max_attempts: int = _env(6, "ENGAGE_DELIVERY_MAX_ATTEMPTS")
    delivery_backoff_seconds: float = _env(30.0, "ENGAGE_DELIVERY_BACKOFF_SECONDS")
    leader_lease_seconds: float = _env(15.0, "ENGAGE_LEADER_LEASE_SECONDS")
    api_timeout_seconds: float = _env(10.0, "ENGAGE_API_TIMEOUT_SECONDS")
    secret_key: str = _env("", "ENGAGE_SECRET_KEY")
    admins: Annotated[tuple[str, ...], NoDecode] = _env((), "ENGAGE_ADMINS")
    follow_nudge_weeks: int = _env(4, "ENGAGE_FOLLOW_NUDGE_WEEKS")

    roster_sync_hours: float = _env(24.0, "ENGAGE_ROSTER_SYNC_HOURS")
    roster_pace: float = _env(1.0, "ENGAGE_ROSTER_PACE")

    slack_api_url: str = _env(SLACK_DEFAULT_API_URL, "ENGAGE_SLACK_API_URL")
    slack_bot_token: str = _env("", "SLACK_BOT_TOKEN")
    slack_signing_secret: str = _env("", "SLACK_SIGNING_SECRET")
    slack_app_token: str = _env("", "SLACK_APP_TOKEN")
    slack_client_id: str = _env("", "SLACK_CLIENT_ID")
    slack_client_secret: str = _env("", "SLACK_CLIENT_SECRET")
    slack_mode: Literal["http", "socket"] = _env("http", "ENGAGE_SLACK_MODE")
    public_url: str = _env("", "ENGAGE_PUBLIC_URL")
    slack_department_field: str = _env("", "ENGAGE_SLACK_DEPARTMENT_FIELD")

    teams_app_id: str = _env("", "MicrosoftAppId", "MICROSOFT_APP_ID")
    teams_app_password: str = _env("", "MicrosoftAppPassword", "MICROSOFT_APP_PASSWORD")
    teams_app_tenant_id: str = _env("", "MicrosoftAppTenantId", "MICROSOFT_APP_TENANT_ID")
    teams_app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = _env(
        "MultiTenant", "MicrosoftAppType", "MICROSOFT_APP_TYPE"
    )
    teams_openid_metadata_url: str = _env("", "ENGAGE_TEAMS_OPENID_METADATA_URL")
    secret_key_fallbacks: Annotated[tuple[str, ...], NoDecode] = _env(
        (), "ENGAGE_SECRET_KEY_FALLBACKS"
    )

    @field_validator("platforms", mode="before")
    @classmethod
    def _split_platforms(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip().lower() for part in value.split(",") if part.strip())
        return value

    @field_validator("admins", "secret_key_fallbacks", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("database_url")
    @classmethod
    def _valid_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(f"not a database URL: {value!r}") from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("only sqlite:/// and postgresql+psycopg:// URLs are supported")
        return value

    @field_validator("port")
    @classmethod
    def _valid_port(cls, value: int) -> int:
        if not 0 <= value <= 65535:
            raise ValueError("must be between 0 and 65535")
        return value

    @field_validator(
        "deliver_interval_seconds",
        "delivery_concurrency",
        "delivery_lease_seconds",
        "delivery_max_attempts",
        "delivery_backoff_seconds",
        "leader_lease_seconds",
        "api_timeout_seconds",
        "roster_sync_hours",
    )
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be greater than 0")
        return value

    @field_validator("roster_pace")
    @classmethod
    def _not_negative(cls, value: float) -> float:
        if value < 0:
            raise ValueError("must be 0 or more")
        return value

    @field_validator("min_group_size", "social_proof_min")
    @classmethod
    def _valid_group(cls, value: int) -> int:
        if value < 2:
            raise ValueError("must be at least 2")
        return value

    @field_validator("max_per_week")
    @classmethod
    def _valid_per_week(cls, value: int) -> int:
        if not 0 <= value <= 3:
            raise ValueError("must be between 0 and 3")
        return value

    @field_validator("follow_nudge_weeks")
    @classmethod
    def _valid_nudge_weeks(cls, value: int) -> int:
        if not 1 <= value <= 52:
            raise ValueError("must be between 1 and 52")
        return value

    @property
    def is_sqlite(self) -> bool:
        from sqlalchemy.engine import make_url

        return make_url(self.database_url).get_backend_name() == "sqlite"

    def enabled(self, platform: Platform) -> bool:
        return platform in self.platforms

    @property
    def operator_language(self) -> Literal["en", "fr"]:
        return self.language or "en"


S = TypeVar("S", bound=OperatorLanguage)


def load_settings(*, env_file: str | None = ".env", **overrides: Any) -> Settings:
    """Build settings from the environment (and `.env`), with keyword overrides on top;
    then from the files of `ENGAGE_SECRETS_DIR` for whatever those left unset."""
    settings = _read(Settings, env_file, overrides)
    if settings.language is None:
        settings.language = locale_language()
    return settings


def operator_language(*, env_file: str | None = ".env") -> Literal["en", "fr"]:
    """The operator's language as `load_settings` gives it, reading no other setting: the
    process locale's when ENGAGE_LANGUAGE is unset or unusable."""
    try:
        language = _read(OperatorLanguage, env_file, {}).language
    except ConfigError:  # an unusable ENGAGE_SECRETS_DIR: the environment and .env still tell
        try:
            language = OperatorLanguage(_env_file=env_file).language
        except ValidationError:
            language = None
    return language or locale_language()


def _read(model: type[S], env_file: str | None, overrides: dict[str, Any]) -> S:
    try:
        settings = model(_env_file=env_file, **overrides)
        if settings.secrets_dir:
            if not Path(settings.secrets_dir).is_dir():
                raise ConfigError(
                    f"ENGAGE_SECRETS_DIR: {settings.secrets_dir!r} is not a directory"
                )
            settings = model(_env_file=env_file, _secrets_dir=settings.secrets_dir, **overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        raise ConfigError(
            f"{_variable_name(field)}: {first['msg'].removeprefix('Value error, ')}"
        ) from None
    return settings


def locale_language() -> Literal["en", "fr"]:
    """The process locale's language (LC_ALL, else LC_MESSAGES, else LANG): fr or en."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := os.environ.get(variable, "").strip():
            return language_for(value)
    return "en"


def _variable_name(field: str) -> str:
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info else None
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return field


def check_ready_to_serve(settings: Settings) -> list[str]:
    """Refuse empty, placeholder or weak secrets in prod; return warnings for dev."""
    needed: list[str] = []
    if settings.enabled(Platform.SLACK):
        needed.append(
            "slack_app_token" if settings.slack_mode == "socket" else "slack_signing_secret"
        )
        if settings.slack_client_id or settings.slack_client_secret:
            needed += ["slack_client_id", "slack_client_secret", "secret_key"]
        else:
            needed.append("slack_bot_token")
    if settings.enabled(Platform.TEAMS):
        needed += ["teams_app_id", "teams_app_password"]
    missing = [name for name in needed if _PLACEHOLDER.match(getattr(settings, name).strip())]
    if settings.env == "prod":
        if missing:
            names = ", ".join(_variable_name(name) for name in missing)
            raise ConfigError(f"ENGAGE_ENV=prod refuses empty or placeholder secrets: set {names}")
        secrets = [name for name in needed if name not in IDENTIFIERS]
        if settings.secret_key and "secret_key" not in secrets:
            secrets.append("secret_key")
        weak = [
            f"{_variable_name(name)} ({problem})"
            for name in secrets
            if (problem := secret_weakness(getattr(settings, name)))
        ]
        if weak:
            raise ConfigError(f"ENGAGE_ENV=prod refuses weak secrets: {', '.join(weak)}; {RULE}")
        return []
    if not missing:
        return []
    names = ", ".join(_variable_name(name) for name in missing)
    return [f"not set: {names} (accepted with ENGAGE_ENV=dev only)"]


def secret_weakness(value: str) -> str | None:
    """Why a secret is too weak for prod (see RULE), or None when it is strong enough."""
    if _PLACEHOLDER_WORDS.search(value):
        return "a placeholder"
    if len(value) < MIN_SECRET_LENGTH:
        return f"only {len(value)} character{'s' if len(value) > 1 else ''}"
    counts = Counter(value).values()
    bits = -sum(n * math.log2(n / len(value)) for n in counts)
    if bits < MIN_SECRET_BITS:
        return "too repetitive"
    return None
