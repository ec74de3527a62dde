"""What the `marketedge` commands share: failing with one line, and a migrated database to work on."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import NoReturn

import typer


def fail(message: str) -> NoReturn:
    typer.echo(f"marketedge: {message}", err=True)
    raise typer.Exit(2)


def prepare_database(database_url: str, *, always_upgrade: bool) -> None:
    """Create the SQLite folder, apply migrations to an empty database, refuse a stale schema."""
    from marketedge.models import migrate

    if database_url.startswith("sqlite"):
        path = database_url.split(":///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        current, empty = asyncio.run(migrate.schema_state(database_url))
    except Exception as exc:
        fail(f"database unreachable ({type(exc).__name__}): check DATABASE_URL")
    if empty or (always_upgrade and current != migrate.HEAD):
        migrate.upgrade(database_url)
    elif current != migrate.HEAD:
        fail(f"database schema is at {current}, this version needs {migrate.HEAD}: run `marketedge migrate`")


def open_runtime(**overrides: object):  # type: ignore[no-untyped-def]
    """Settings (with overrides), a migrated database and a Runtime for one-shot commands."""
    from marketedge.core.config import ConfigError, load_settings
    from marketedge.core.logs import configure_logging

    try:
        settings = load_settings(scheduler_enabled=False, **overrides)
    except ConfigError as exc:
        fail(f"configuration error: {exc}")
    configure_logging(settings.log_level, "console" if sys.stderr.isatty() else settings.log_format)
    prepare_database(settings.database_url, always_upgrade=not settings.is_production)
    return settings
