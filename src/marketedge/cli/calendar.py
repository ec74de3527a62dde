"""`marketedge calendar show | set | unset | refresh`: the exchange calendar from a shell (docs/operations.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, time
from typing import Annotated, Any, NoReturn, TypeVar

import typer

T = TypeVar("T")
calendar_app = typer.Typer(help="The exchange calendar: which days trade, from Upstox, the bundle or you.")


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"marketedge: {message}", err=True)
    raise typer.Exit(code)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail(f"expected a date YYYY-MM-DD, got {text!r}")


def _run(work: Callable[[Any], Awaitable[T]]) -> T:
    """A runtime on the configured database (no scheduler), its calendar read from the database."""
    from marketedge.cli.common import open_runtime

    settings = open_runtime()

    async def main() -> T:
        from marketedge.runtime import Runtime

        runtime = await Runtime.create(settings)
        try:
            await runtime.calendar_sync.reload()
            return await work(runtime)
        finally:
            await runtime.stop()

    return asyncio.run(main())


@calendar_app.command("show")
def show(
    year: Annotated[int | None, typer.Option(min=2000, max=2100, help="Default: this year.")] = None,
) -> None:
    """Every day of the year some source speaks of, with where it came from."""
    from marketedge.core import clock

    async def work(runtime: Any) -> None:
        calendar = runtime.calendar
        wanted = year or clock.today().year
        coverage = calendar.coverage(wanted)
        typer.echo(
            f"{wanted}: list from {coverage.value if coverage else 'nowhere (weekdays assumed to trade)'}"
        )
        for entry in calendar.days(wanted):
            hours = f" {entry.open:%H:%M}-{entry.close:%H:%M}" if entry.open and entry.close else ""
            trades = "trades" if calendar.is_trading_day(entry.day) else "closed"
            typer.echo(
                f"  {entry.day:%a %Y-%m-%d}  {entry.kind.value}{hours:<12} {trades:<7} [{entry.source.value}] "
                f"{entry.description}"
            )

    _run(work)


@calendar_app.command("set")
def set_day(
    day: Annotated[str, typer.Argument(help="YYYY-MM-DD")],
    closed: Annotated[bool, typer.Option("--closed", help="The exchanges are closed all day.")] = False,
    open_hours: Annotated[
        str | None, typer.Option("--open", help="The exchanges trade at these IST hours, HH:MM-HH:MM.")
    ] = None,
    description: Annotated[str, typer.Option(help="Why (shown on the status page).")] = "",
    actor: Annotated[str, typer.Option(help="Who sets it (the audit log).")] = "cli",
) -> None:
    """Override one date: it outranks Upstox's calendar. A running app picks it up within 5 minutes."""
    from marketedge.auth import audit
    from marketedge.chain.calendar import CalendarDay, DayKind, Source
    from marketedge.ingest.calendar_sync import set_override

    when = _day(day)
    if closed == (open_hours is not None):
        _fail("say either --closed or --open HH:MM-HH:MM")
    hours: tuple[time | None, time | None] = (None, None)
    if open_hours is not None:
        try:
            start, end = (time.fromisoformat(part.strip()) for part in open_hours.split("-", 1))
        except ValueError:
            _fail(f"--open: expected HH:MM-HH:MM, got {open_hours!r}")
        if not start < end:
            _fail("--open: the open must be before the close")
        hours = (start, end)
    try:
        entry = CalendarDay(
            when, DayKind.holiday if closed else DayKind.session, description[:200], *hours, Source.operator
        )
    except ValueError as exc:
        _fail(str(exc))

    async def work(runtime: Any) -> None:
        async with runtime.db.sessions() as session:
            await set_override(session, entry, actor)
            details = {
                "state": "closed" if closed else "open",
                "hours": open_hours,
                "description": description,
            }
            await audit.record(session, actor, "calendar.set", target=when.isoformat(), details=details)
            await session.commit()
        await runtime.calendar_sync.reload()
        state = "trades" if runtime.calendar.is_trading_day(when) else "closed"
        typer.echo(f"{when.isoformat()}: {state} (operator)")

    _run(work)


@calendar_app.command("unset")
def unset_day(
    day: Annotated[str, typer.Argument(help="YYYY-MM-DD")],
    actor: Annotated[str, typer.Option(help="Who removes it (the audit log).")] = "cli",
) -> None:
    """Remove the operator's override of a date."""
    from marketedge.auth import audit
    from marketedge.ingest.calendar_sync import unset_override

    when = _day(day)

    async def work(runtime: Any) -> None:
        async with runtime.db.sessions() as session:
            if not await unset_override(session, when):
                _fail(f"no override for {when.isoformat()}", code=1)
            await audit.record(session, actor, "calendar.unset", target=when.isoformat())
            await session.commit()
        await runtime.calendar_sync.reload()
        source = runtime.calendar.source(when).value
        typer.echo(f"{when.isoformat()}: override removed; now decided by {source}")

    _run(work)


@calendar_app.command("refresh")
def refresh() -> None:
    """Read this year's holiday list and the next days' timings from Upstox now."""

    async def work(runtime: Any) -> int:
        report = await runtime.calendar_sync.refresh()
        listed = "not read" if report.list_entries is None else f"{report.list_entries} entries"
        typer.echo(f"{report.year} holiday list: {listed}")
        for day, what in report.timings.items():
            typer.echo(f"  {day:%a %Y-%m-%d}: {what}")
        for line in report.errors:
            typer.echo(f"  error: {line}", err=True)
        for line in report.conflicts:
            typer.echo(f"  conflict: {line}", err=True)
        return 1 if report.errors else 0

    raise typer.Exit(_run(work))


def register(app: typer.Typer) -> None:
    app.add_typer(calendar_app, name="calendar")
