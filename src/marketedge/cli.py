"""The `marketedge` command: serve, demo, migrate (more arrive with the pipeline, tokens, users, backups)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from marketedge import __version__

app = typer.Typer(
    name="marketedge",
    help="Market Edge: minute-by-minute greeks of Indian index options, from Upstox.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

HostOpt = Annotated[str, typer.Option(help="Address to listen on.")]
PortOpt = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")]


def _fail(message: str) -> NoReturn:
    typer.echo(f"marketedge: {message}", err=True)
    raise typer.Exit(2)


def _settings():  # type: ignore[no-untyped-def]
    from marketedge.config import ConfigError, get_settings

    try:
        return get_settings()
    except ConfigError as exc:
        _fail(f"configuration error: {exc}")


def _prepare_database(database_url: str, *, always_upgrade: bool) -> None:
    """Create the SQLite folder, apply migrations to an empty database, refuse a stale schema."""
    from marketedge import migrate

    if database_url.startswith("sqlite"):
        path = database_url.split(":///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        current, empty = asyncio.run(migrate.schema_state(database_url))
    except Exception as exc:
        _fail(f"database unreachable ({type(exc).__name__}): check DATABASE_URL")
    head = migrate.head_revision(database_url)
    if empty or always_upgrade:
        migrate.upgrade(database_url)
    elif current != head:
        _fail(f"database schema is at {current}, this version needs {head}: run `marketedge migrate`")


def _run_server(host: str, port: int) -> None:
    import uvicorn

    from marketedge.app import create_app
    from marketedge.logs import configure_logging

    settings = _settings()
    configure_logging(settings.log_level, settings.log_format)
    _prepare_database(settings.database_url, always_upgrade=not settings.is_production)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_config=None,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        timeout_keep_alive=30,
        server_header=False,
    )


@app.command()
def serve(host: HostOpt = "127.0.0.1", port: PortOpt = 8000) -> None:
    """Run the API, the UI and the scheduler, as configured by the environment."""
    _run_server(host, port)


@app.command()
def demo(host: HostOpt = "127.0.0.1", port: PortOpt = 8000) -> None:
    """Run the whole app on the embedded defaults (SQLite, in-process cache), for development."""
    os.environ["MARKETEDGE_ENV"] = "development"
    from marketedge.config import get_settings

    get_settings.cache_clear()
    typer.echo(f"Market Edge {__version__} demo on http://{host}:{port}  (Ctrl+C stops it)", err=True)
    _run_server(host, port)


@app.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision (default: the newest).")] = "head",
    down: Annotated[
        bool, typer.Option("--down", help="Revert down to REVISION instead of upgrading.")
    ] = False,
) -> None:
    """Apply the database migrations (or revert them with --down)."""
    from marketedge import migrate as migrations
    from marketedge.logs import configure_logging

    settings = _settings()
    configure_logging(settings.log_level, "console")
    if settings.is_sqlite:
        Path(settings.database_url.split(":///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    if down:
        migrations.downgrade(settings.database_url, revision)
    else:
        migrations.upgrade(settings.database_url, revision)
    typer.echo(f"database at {asyncio.run(migrations.schema_state(settings.database_url))[0]}")


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


def main() -> None:
    sys.exit(app())


if __name__ == "__main__":
    main()
