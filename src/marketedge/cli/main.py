"""The `marketedge` command: serve, demo, migrate (more arrive with the pipeline, tokens, users, backups)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from marketedge import __version__
from marketedge.cli import broker as _broker_cli
from marketedge.cli import calendar as _calendar_cli
from marketedge.cli import users as _users_cli
from marketedge.cli.common import fail, open_runtime, prepare_database

app = typer.Typer(
    name="marketedge",
    help="Market Edge: minute-by-minute greeks of Indian index options, from Upstox.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

HostOpt = Annotated[str, typer.Option(help="Address to listen on.")]
PortOpt = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")]


def _settings():  # type: ignore[no-untyped-def]
    from marketedge.core.config import ConfigError, get_settings

    try:
        return get_settings()
    except ConfigError as exc:
        fail(f"configuration error: {exc}")


def _run_server(host: str, port: int, *, demo_account: bool = False) -> None:
    """uvicorn on the boot app (marketedge/boot.py): the socket answers within seconds of launch while the
    database is prepared and the app imported, built and started behind it."""
    import uvicorn

    from marketedge.boot import BootApp
    from marketedge.core.logs import configure_logging

    settings = _settings()  # a bad setting stops start-up here, in one line, before anything listens
    configure_logging(settings.log_level, settings.log_format)

    def build():  # type: ignore[no-untyped-def]
        prepare_database(settings.database_url, always_upgrade=not settings.is_production)
        if demo_account and not settings.is_production:
            email, password = _demo_account(settings.database_url)
            typer.echo(f"Sign in at http://{host}:{port}/login as {email} with password {password}", err=True)
        from marketedge.app import create_app

        return create_app(settings)

    async def start():  # type: ignore[no-untyped-def]
        # In a thread: the heavy imports and the database check run while the event loop answers.
        return await asyncio.to_thread(build)

    uvicorn.run(
        BootApp(start),
        host=host,
        port=port,
        log_config=None,
        # Proxy headers are honoured by the security middleware, and only from TRUSTED_PROXIES: one rule.
        proxy_headers=False,
        timeout_keep_alive=30,
        server_header=False,
    )


def _demo_account(database_url: str) -> tuple[str, str]:
    """The demo viewer (created, or given a fresh password): a newcomer is one sign-in away from the data."""
    from marketedge.auth.demo import ensure_demo_account
    from marketedge.core.db import Database

    async def make() -> tuple[str, str]:
        database = Database(database_url)
        try:
            return await ensure_demo_account(database)
        finally:
            await database.dispose()

    return asyncio.run(make())


@app.command()
def serve(host: HostOpt = "127.0.0.1", port: PortOpt = 8000) -> None:
    """Run the API, the UI and the scheduler, as configured by the environment."""
    _run_server(host, port)


@app.command()
def demo(host: HostOpt = "127.0.0.1", port: PortOpt = 8000) -> None:
    """Run the whole app on the embedded defaults with the built-in Upstox twin as the data source."""
    os.environ["MARKETEDGE_ENV"] = "development"
    os.environ["DATA_SOURCE"] = "twin"
    # The twin delivers approved v3 token requests to this app's notifier, as Upstox would.
    local = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 (a comparison, not a bind)
    os.environ.setdefault("UPSTOX_NOTIFIER_URL", f"http://{local}:{port}/api/v1/broker/upstox/notifier")
    from marketedge.core.config import get_settings

    get_settings.cache_clear()
    typer.echo(f"Market Edge {__version__} demo on http://{host}:{port}  (Ctrl+C stops it)", err=True)
    _run_server(host, port, demo_account=True)


@app.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision (default: the newest).")] = "head",
    down: Annotated[
        bool, typer.Option("--down", help="Revert down to REVISION instead of upgrading.")
    ] = False,
) -> None:
    """Apply the database migrations (or revert them with --down)."""
    from marketedge.core.logs import configure_logging
    from marketedge.models import migrate as migrations

    settings = _settings()
    configure_logging(settings.log_level, "console")
    if settings.is_sqlite:
        Path(settings.database_url.split(":///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    if down:
        migrations.downgrade(settings.database_url, revision)
    else:
        migrations.upgrade(settings.database_url, revision)
    typer.echo(f"database at {asyncio.run(migrations.schema_state(settings.database_url))[0]}")


def _progress_printer(label: str):  # type: ignore[no-untyped-def]
    """A progress bar on a terminal, plain lines otherwise."""
    if sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(
            TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=False
        )
        task = bar.add_task(label, total=None)
        bar.start()

        def update(done: int, total: int, result) -> None:  # type: ignore[no-untyped-def]
            bar.update(task, completed=done, total=total)
            if done == total:
                bar.stop()

        return update

    def lines(done: int, total: int, result) -> None:  # type: ignore[no-untyped-def]
        if done == total or done % 25 == 0:
            typer.echo(f"{label}: {done}/{total} minutes ({result.minute:%H:%M} {result.status})", err=True)

    return lines


@app.command()
def ingest(
    once: Annotated[bool, typer.Option("--once", help="Poll the current minute now.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Poll and store even when the market is closed (testing only).")
    ] = False,
) -> None:
    """Poll Upstox for the current minute and store it (the scheduler does this every minute in `serve`).

    Outside the session (a closed day, before the open, after the close) nothing is asked or stored and the
    command exits with 2, unless --force."""
    if not once:
        fail("say --once (the scheduler in `marketedge serve` or `marketedge worker` polls every minute)")
    settings = open_runtime()

    async def run() -> int:
        from marketedge.core import clock
        from marketedge.runtime import Runtime

        runtime = await Runtime.create(settings)
        try:
            await runtime.calendar_sync.reload()
            now = clock.now()
            if not force and not runtime.calendar.is_open(now):
                typer.echo(
                    f"{now:%Y-%m-%d %H:%M} IST: {_closed_because(runtime.calendar, now)}; nothing stored"
                )
                return 2
            result = await runtime.job.run(trigger="manual", force=force)
        finally:
            await runtime.stop()
        for label, outcome in result.outcomes.items():
            typer.echo(f"{label}: {outcome.status} {outcome.detail}".rstrip())
        typer.echo(
            f"{result.minute:%Y-%m-%d %H:%M} IST: {result.status}"
            + (f" ({result.error})" if result.error else "")
        )
        return 0 if result.status in ("ok", "partial") else 1

    raise typer.Exit(asyncio.run(run()))


def _closed_because(calendar, now) -> str:  # type: ignore[no-untyped-def]
    """Why the market is not open at `now`, in one phrase."""
    session = calendar.session(now.date())
    if session is None:
        holiday = calendar.holiday(now.date())
        if holiday is not None:
            return f"the market is closed today ({holiday.description or 'exchange holiday'})"
        return "the market is closed today (weekend)"
    if now < session.open:
        return f"the market opens at {session.open:%H:%M}"
    return f"the market closed at {session.close:%H:%M}"


@app.command("simulate-day")
def simulate_day(
    day: Annotated[str, typer.Option("--date", help="The trading day to simulate, YYYY-MM-DD.")],
    symbols: Annotated[
        str | None, typer.Option(help="Comma-separated indices (default: the configured universe).")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Stop after this IST minute, HH:MM (default: the close).")
    ] = None,
) -> None:
    """Run a whole trading day against a twin of its own on a fast clock, and store it."""
    from datetime import date, datetime, time

    from marketedge.core.clock import IST
    from marketedge.twin.exchange_calendar import twin_calendar

    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        fail(f"--date: expected YYYY-MM-DD, got {day!r}")
    calendar = twin_calendar()  # the twin is the exchange here: its calendar says which days trade
    if not calendar.is_trading_day(wanted):
        fail(f"--date: {wanted.isoformat()} is not a trading day (weekend or exchange holiday)")
    stop_at = None
    if until:
        try:
            stop_at = datetime.combine(wanted, time.fromisoformat(until), tzinfo=IST)
        except ValueError:
            fail(f"--until: expected HH:MM, got {until!r}")
    settings = open_runtime(data_source="twin")

    async def run() -> int:
        from marketedge.ingest.simulate import run_minutes, session_minutes
        from marketedge.ingest.universe import set_universe
        from marketedge.runtime import Runtime

        runtime = await Runtime.create(settings)
        try:
            if symbols:
                async with runtime.db.sessions() as session:
                    await set_universe(session, [s.strip().upper() for s in symbols.split(",") if s.strip()])
                    await session.commit()
            minutes = session_minutes(calendar, wanted, until=stop_at)
            assert runtime.twin is not None
            results = await run_minutes(
                runtime.job, minutes, runtime.twin.state, _progress_printer(f"{wanted}")
            )
        finally:
            await runtime.stop()
        failed = [r for r in results if r.status == "failed"]
        stored = sum(r.stored for r in results)
        typer.echo(f"{wanted}: {len(results)} minutes, {stored} chain minutes stored, {len(failed)} failed")
        return 1 if failed else 0

    try:
        raise typer.Exit(asyncio.run(run()))
    except KeyboardInterrupt:
        typer.echo("interrupted: every stored minute is whole; run again to finish the day", err=True)
        raise typer.Exit(130) from None


@app.command()
def backfill(
    day: Annotated[
        str, typer.Option("--date", help="The trading day to fill, YYYY-MM-DD (default: today).")
    ] = "",
) -> None:
    """Fill the missed minutes of a day from Upstox's 1-minute candles (greeks from our engine)."""
    from datetime import date

    from marketedge.core import clock

    try:
        wanted = date.fromisoformat(day) if day else clock.today()
    except ValueError:
        fail(f"--date: expected YYYY-MM-DD, got {day!r}")
    if wanted > clock.today():
        fail(f"--date: {wanted.isoformat()} is in the future")
    settings = open_runtime()

    async def run() -> int:
        from marketedge.ingest.backfill import backfill_day
        from marketedge.runtime import Runtime

        runtime = await Runtime.create(settings)
        try:
            await runtime.calendar_sync.reload()
            if not runtime.calendar.is_trading_day(wanted):
                typer.echo(f"marketedge: --date: {wanted.isoformat()} is not a trading day", err=True)
                return 2
            report = await backfill_day(
                runtime.db, runtime.cache, runtime.client, runtime.calendar, wanted, rate=settings.greeks_rate
            )
        finally:
            await runtime.stop()
        for label, missing in report.missing_before.items():
            typer.echo(f"{label}: {missing} missing, {report.filled.get(label, 0)} filled")
        for label, error in report.errors.items():
            typer.echo(f"{label}: failed ({error})", err=True)
        return 1 if report.errors else 0

    try:
        raise typer.Exit(asyncio.run(run()))
    except KeyboardInterrupt:
        typer.echo("interrupted: every stored minute is whole; run again to finish", err=True)
        raise typer.Exit(130) from None


@app.command()
def twin(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8100,
    seed: Annotated[
        int, typer.Option(help="The market's seed: the same seed and date give the same day.")
    ] = 7,
) -> None:
    """Serve the Upstox twin alone (same paths and JSON as Upstox, simulated market) for other tools."""
    from marketedge.twin.server import serve as serve_twin

    serve_twin(host, port, seed)


@app.command()
def worker() -> None:
    """Run only the minute job (no web server): for a deployment where web replicas set SCHEDULER_ENABLED=false."""
    from marketedge.core.config import ConfigError, load_settings
    from marketedge.core.logs import configure_logging

    try:
        settings = load_settings(scheduler_enabled=True)
    except ConfigError as exc:
        fail(f"configuration error: {exc}")
    configure_logging(settings.log_level, settings.log_format)
    prepare_database(settings.database_url, always_upgrade=False)

    async def run() -> None:
        from marketedge.ops.metrics import Metrics
        from marketedge.ops.metrics_server import MetricsServer
        from marketedge.runtime import Runtime

        runtime = await Runtime.create(settings)
        await runtime.start()
        metrics_server = None
        if settings.metrics_port:  # no web server here: the job's metrics on their own listener
            metrics = Metrics()
            metrics.bind_runtime(runtime)
            metrics_server = MetricsServer(metrics, settings.metrics_host, settings.metrics_port)
            await metrics_server.start()
        typer.echo("worker: polling every minute of the session (Ctrl+C stops it)", err=True)
        try:
            await asyncio.Event().wait()
        finally:
            if metrics_server is not None:
                await metrics_server.stop()
            await runtime.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


KeyFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--encrypt-key-file",
        "--key-file",
        help="A file holding a Fernet key: encrypts the backup (backup) or opens it (restore).",
    ),
]


def _backup_settings():  # type: ignore[no-untyped-def]
    from marketedge.core.config import ConfigError, load_settings
    from marketedge.core.logs import configure_logging

    try:
        settings = load_settings()
    except ConfigError as exc:
        fail(f"configuration error: {exc}")
    configure_logging("WARNING", "console")
    return settings


@app.command()
def backup(
    output: Annotated[
        str, typer.Option(help="The backup file, or a directory (ending in /) for a timestamped file.")
    ],
    key_file: KeyFileOpt = None,
) -> None:
    """Back up the database at DATABASE_URL (pg_dump, or SQLite's online backup) with a manifest."""
    from marketedge.ops import backup as ops_backup

    settings = _backup_settings()
    try:
        key = ops_backup.read_key(key_file) if key_file else None
        path, manifest = asyncio.run(ops_backup.backup(settings.database_url, output, key=key))
    except ops_backup.BackupError as exc:
        fail(f"backup failed: {exc}")
    for table, rows in manifest.tables.items():
        typer.echo(f"  {table}: {rows} rows")
    typer.echo(
        f"{path}: {manifest.size_bytes:,} bytes, {manifest.database} at {manifest.schema_revision}, "
        + ("encrypted" if manifest.encrypted else "NOT encrypted")
    )


@app.command()
def restore(
    input_path: Annotated[Path, typer.Option("--input", help="A backup file made by `marketedge backup`.")],
    key_file: KeyFileOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace everything in a database that is not empty.")
    ] = False,
) -> None:
    """Restore a backup into the (empty) database at DATABASE_URL; stop the app first."""
    from marketedge.models import migrate as migrations
    from marketedge.ops import backup as ops_backup

    settings = _backup_settings()
    try:
        key = ops_backup.read_key(key_file) if key_file else None
        manifest = asyncio.run(ops_backup.restore(settings.database_url, input_path, key=key, force=force))
    except ops_backup.NotEmpty as exc:
        typer.echo(f"marketedge: {exc}", err=True)
        raise typer.Exit(1) from None
    except ops_backup.BackupError as exc:
        fail(f"restore failed: {exc}")
    rows = sum(manifest.tables.values())
    typer.echo(
        f"restored {rows:,} rows in {len(manifest.tables)} tables from the backup of {manifest.created_at}"
    )
    head = migrations.head_revision(settings.database_url)
    if manifest.schema_revision != head:
        typer.echo(
            f"the backup's schema is {manifest.schema_revision}, this version's is {head}: "
            "run `marketedge migrate` before starting the app",
            err=True,
        )


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


_users_cli.register(app)
_broker_cli.register(app)
_calendar_cli.register(app)


def main() -> None:
    sys.exit(app())


if __name__ == "__main__":
    main()
