"""One Settings object from the environment; start-up stops with a one-line message on a bad value."""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from marketedge.core.budgets import parse_budgets

PROJECT_ROOT = Path(__file__).resolve().parents[3]

# Well-known development defaults: refused outside development and test.
DEV_SECRET_KEY = "dev-secret-key-change-me-0000000000000000"  # noqa: S105
DEV_TOKEN_ENCRYPTION_KEY = "ZGV2LXRva2VuLWtleS1jaGFuZ2UtbWUtMDAwMDAwMDA="  # noqa: S105


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


def normalise_database_url(url: str) -> str:
    """Accept the usual spellings of a database URL and choose the async driver.

    >>> normalise_database_url("postgres://u:p@h/db")
    'postgresql+asyncpg://u:p@h/db'
    >>> normalise_database_url("sqlite:///var/x.db")
    'sqlite+aiosqlite:///var/x.db'
    """
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if not sep or not rest:
        raise ValueError("expected a URL such as sqlite:///var/marketedge.db or postgresql://user@host/db")
    scheme = scheme.lower()
    if scheme in (
        "postgres",
        "postgresql",
        "postgresql+asyncpg",
        "postgresql+psycopg",
        "postgresql+psycopg2",
    ):
        if "/" not in rest or rest.startswith("/"):
            raise ValueError("a PostgreSQL URL needs a host and a database: postgresql://user@host:5432/db")
        return f"postgresql+asyncpg://{rest}"
    if scheme in ("sqlite", "sqlite+aiosqlite"):
        if not rest.startswith("/"):
            raise ValueError(
                "a SQLite URL looks like sqlite:///relative/path.db or sqlite:////absolute/path.db"
            )
        return f"sqlite+aiosqlite://{rest}"
    raise ValueError(f"unsupported scheme {scheme!r}: use sqlite:// or postgresql://")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    marketedge_env: Environment = Environment.development
    database_url: str = "sqlite:///var/marketedge.db"  # relative to the working directory
    redis_url: str | None = None
    # Prefix of every cache key (several deployments, or tests, can share one Redis).
    cache_prefix: str = Field(default="me:", min_length=1, max_length=32)
    upstox_base_url: str = "https://api.upstox.com"
    upstox_client_id: str | None = None
    upstox_client_secret: str | None = None
    upstox_redirect_uri: str | None = None
    # A bootstrap token (access or analytics): stored through the token manager on start when none is stored.
    upstox_access_token: SecretStr | None = None
    # Which kind that token is: access (daily, until 03:30 IST) or analytics (a year, read-only).
    upstox_access_token_kind: Literal["access", "analytics"] = "access"  # noqa: S105 (a kind, not a secret)
    # The public URL of our notifier webhook, as registered on the Upstox app (shown on the broker page).
    upstox_notifier_url: str | None = None
    # Upstox's request limits per user (shared by every process of one Upstox app), CALLS/PERIOD comma-separated;
    # per API (as Upstox documents) or all APIs together; the share of each window the catch-up leaves the live
    # minute (docs/upstox-client.md, "Limits").
    upstox_rate_limits: str = "50/1s,500/1m,2000/30m"
    upstox_limits_per_api: bool = True
    upstox_live_reserve: float = Field(default=0.2, ge=0, le=0.9)
    # Daily token check on trading days, IST wall time (docs/broker.md); then reminders every N minutes.
    renewal_time: time = time(8, 30)
    renewal_reminder_minutes: int = Field(default=10, ge=1, le=180)
    # Where token alerts are POSTed as JSON ({"text", "event", …}: Slack, or a Telegram/email relay).
    alert_webhook_url: SecretStr | None = None
    # "upstox": the real API at UPSTOX_BASE_URL. "twin": the built-in Upstox twin, in-process (the demo).
    data_source: Literal["upstox", "twin"] = "upstox"
    twin_seed: int = 7
    # Continuously compounded rate for the greeks engine's discounting (the forward comes from the chain).
    greeks_rate: float = Field(default=0.065, ge=-0.05, le=0.5)
    # Run the minute job in this process (serve); off for extra web replicas or when `marketedge worker` runs it.
    scheduler_enabled: bool = True
    # Days of per-strike chain minutes kept in the database.
    retention_days: int = Field(default=30, ge=1, le=3650)
    secret_key: str = Field(default=DEV_SECRET_KEY, min_length=32)
    # Comma-separated Fernet keys, newest first: the first encrypts, all decrypt (rotation without downtime).
    token_encryption_key: Annotated[list[str], NoDecode] = Field(default=[DEV_TOKEN_ENCRYPTION_KEY])
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"
    frontend_dist: Path = PROJECT_ROOT / "frontend" / "dist"
    health_cache_seconds: float = Field(default=1.0, ge=0, le=60)
    # Megabytes of answers kept rendered (bytes + gzip, LRU); the hot path keeps up to a quarter more (docs/scaling.md).
    rendered_cache_mb: int = Field(default=48, ge=1, le=1024)
    # The hot path re-reads live sessions and API keys every this many seconds and trusts a credential the full
    # check accepted as long; 0 turns the hot path off. A revoked one keeps reading at most about this long.
    hot_grant_seconds: float = Field(default=30.0, ge=0, le=300)
    # Accounts and security (docs/security.md).
    session_idle_minutes: int = Field(default=60, ge=5, le=7 * 24 * 60)
    session_max_hours: int = Field(default=12, ge=1, le=30 * 24)
    allow_registration: bool = False
    cors_origins: Annotated[list[str], NoDecode] = Field(default=[])
    # The UI's origin when it is served from another one (Vercel): where the Upstox login comes back to.
    ui_origin: str | None = None
    trusted_hosts: Annotated[list[str], NoDecode] = Field(default=["*"])
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default=[])
    max_body_bytes: int = Field(default=1_048_576, ge=1024, le=100 * 1_048_576)
    api_rate_limit: str = "600/minute"
    # Operations and compliance (docs/operations.md, docs/compliance.md).
    # Serve nothing newer than N minutes ago (exchange-data terms may require a delay); 0: each minute as stored.
    display_delay_minutes: int = Field(default=0, ge=0, le=24 * 60)
    # A second listener answering GET /metrics without sign-in, for a scraper on a private network; unset: none.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"
    # Minutes between reminders of an operator alert that is still firing.
    alert_remind_minutes: int = Field(default=30, ge=5, le=24 * 60)
    # Days the audit log is kept: at least a year (DPDP Rules 2025 keep such logs one year).
    audit_retention_days: int = Field(default=400, ge=365, le=3650)
    # Days the record of each minute-job run (ingest_run) is kept.
    ingest_run_retention_days: int = Field(default=90, ge=7, le=3650)
    # Who runs this deployment and how to reach them: named in the privacy notice and the terms (docs/compliance.md).
    legal_operator: str | None = Field(default=None, max_length=200)
    legal_contact: str | None = Field(default=None, max_length=200)
    # Refuse signed-in people every route but their account and the consent itself until they have accepted the
    # current privacy notice and terms; the UI shows its consent screen first (docs/compliance.md). On by default:
    # DPDP consent before processing. Off only where consent is collected some other way.
    consent_required: bool = True

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(
                "expected redis://host:6379/0 or rediss://… (leave unset for the in-process cache)"
            )
        return value.strip()

    @field_validator("upstox_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL such as https://api.upstox.com")
        return value.rstrip("/")

    @field_validator("upstox_notifier_url")
    @classmethod
    def _notifier_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected the public https URL of /api/v1/broker/upstox/notifier")
        return value.strip()

    @field_validator("alert_webhook_url")
    @classmethod
    def _alert_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not value.get_secret_value().startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL that accepts a JSON POST")
        return value

    @field_validator("upstox_rate_limits")
    @classmethod
    def _rate_limits(cls, value: str) -> str:
        parse_budgets(value)  # raises ValueError naming the part that is wrong
        return value

    @field_validator("renewal_time", mode="before")
    @classmethod
    def _renewal_time(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return time.fromisoformat(value.strip())
            except ValueError:
                raise ValueError("expected an IST wall time HH:MM such as 08:30") from None
        return value

    @field_validator("cors_origins", "trusted_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> list[str]:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return [str(item).strip() for item in value]  # type: ignore[attr-defined]

    @field_validator("ui_origin")
    @classmethod
    def _ui_origin(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        origin = value.strip().rstrip("/")
        if not origin.startswith(("http://", "https://")) or origin.count("/") != 2:
            raise ValueError(f"{origin!r}: expected an origin such as https://app.example.com (no path)")
        return origin

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin == "*" or not origin.startswith(("http://", "https://")) or origin.count("/") != 2:
                raise ValueError(
                    f"{origin!r}: expected origins such as https://app.example.com (no '*', no path)"
                )
        return [origin.rstrip("/") for origin in value]

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: list[str]) -> list[str]:
        import ipaddress

        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r}: expected IP addresses or networks such as 10.0.0.0/8") from None
        return value

    @field_validator("api_rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError("expected a rate such as 600/minute or 20/second;1000/hour") from None
        return value

    @field_validator("token_encryption_key", mode="before")
    @classmethod
    def _keys(cls, value: object) -> list[str]:
        from cryptography.fernet import Fernet

        keys = [k.strip() for k in value.split(",") if k.strip()] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
        if not keys:
            raise ValueError("expected one or more Fernet keys separated by commas")
        for key in keys:
            try:
                Fernet(key)
            except (ValueError, TypeError):
                raise ValueError(
                    "expected Fernet keys (32 url-safe base64 bytes; make one with "
                    "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)"
                ) from None
        return keys

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> Settings:
        if self.marketedge_env is Environment.production:
            if self.secret_key == DEV_SECRET_KEY:
                raise ValueError("SECRET_KEY: the development default is refused in production; set your own")
            if DEV_TOKEN_ENCRYPTION_KEY in self.token_encryption_key:
                raise ValueError(
                    "TOKEN_ENCRYPTION_KEY: the development default is refused in production; set your own"
                )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_production(self) -> bool:
        return self.marketedge_env is Environment.production


def config_warnings(settings: Settings) -> list[str]:
    """What a production deployment has left unsafe but workable: logged at start-up (auth/install.py), and for
    a page such as /health/ready to show. Empty outside production."""
    if not settings.is_production:
        return []
    warnings = []
    if "*" in settings.trusted_hosts:
        warnings.append("TRUSTED_HOSTS is '*': set it to the host names this service answers to")
    if not settings.trusted_proxies:
        warnings.append(
            "TRUSTED_PROXIES is empty: behind a proxy, set TRUSTED_PROXIES or every caller shares one rate limit"
        )
    return warnings


def load_settings(**overrides: object) -> Settings:
    """Read the environment; a bad value raises ConfigError with one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]).upper() or _name_from_message(first["msg"])
        message = first["msg"].removeprefix("Value error, ")
        if name and message.startswith(f"{name}:"):
            raise ConfigError(message) from None
        raise ConfigError(f"{name}: {message}") from None


def _name_from_message(message: str) -> str:
    head = message.removeprefix("Value error, ").split(":", 1)[0]
    return head if head.isupper() else ""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
