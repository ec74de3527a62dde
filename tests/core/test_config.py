"""Settings: URL forms, one-line errors naming the variable, no default secrets in production."""

from __future__ import annotations

import subprocess
import sys

import pytest

from marketedge.core.config import ConfigError, load_settings, normalise_database_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///var/x.db", "sqlite+aiosqlite:///var/x.db"),
        ("sqlite+aiosqlite:////abs/x.db", "sqlite+aiosqlite:////abs/x.db"),
        ("postgresql://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u:p@h/db", "postgresql+asyncpg://u:p@h/db"),
    ],
)
def test_database_url_forms_choose_the_async_driver(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://root@h/db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://localhost"}, "REDIS_URL"),
        ({"UPSTOX_BASE_URL": "api.upstox.com"}, "UPSTOX_BASE_URL"),
        ({"TOKEN_ENCRYPTION_KEY": "short"}, "TOKEN_ENCRYPTION_KEY"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"MARKETEDGE_ENV": "staging"}, "MARKETEDGE_ENV"),
        ({"SECRET_KEY": "too-short"}, "SECRET_KEY"),
    ],
)
def test_a_bad_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], name: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{name}: ")
    assert "\n" not in message


def test_production_refuses_the_development_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARKETEDGE_ENV", "production")
    with pytest.raises(ConfigError, match=r"^SECRET_KEY: "):
        load_settings()
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    with pytest.raises(ConfigError, match=r"^TOKEN_ENCRYPTION_KEY: "):
        load_settings()
    from cryptography.fernet import Fernet

    fresh = Fernet.generate_key().decode()
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEY", f"{fresh}, {Fernet.generate_key().decode()}")
    settings = load_settings()
    assert settings.is_production
    assert settings.token_encryption_key[0] == fresh
    assert len(settings.token_encryption_key) == 2


def test_unset_redis_means_the_in_process_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "")
    assert load_settings().redis_url is None


def test_start_up_with_a_malformed_database_url_stops_with_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "marketedge.cli", "serve", "--port", "1"],
        env={"DATABASE_URL": "mysql://nope", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DATABASE_URL" in lines[0]
