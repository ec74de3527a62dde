"""`marketedge token set | status | request | rotate-key`: the Upstox token from a shell (docs/broker.md)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal, NoReturn, TypeVar

import click
import typer

T = TypeVar("T")


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"marketedge: {message}", err=True)
    raise typer.Exit(code)


def _settings():  # type: ignore[no-untyped-def]
    from marketedge.cli.common import prepare_database
    from marketedge.core.config import ConfigError, get_settings
    from marketedge.core.logs import configure_logging

    try:
        settings = get_settings()
    except ConfigError as exc:
        _fail(f"configuration error: {exc}")
    configure_logging("WARNING", "console" if sys.stderr.isatty() else settings.log_format)
    prepare_database(settings.database_url, always_upgrade=not settings.is_production)
    return settings


def _run(work: Callable[[Any], Awaitable[T]]) -> T:
    """Build the token service on the configured database and cache, run `work(renewal)`, tear down."""
    settings = _settings()

    async def main() -> T:
        from marketedge.broker.alerts import Alerter
        from marketedge.broker.crypto import TokenCipher
        from marketedge.broker.renewal import TokenRenewal
        from marketedge.broker.service import TokenService
        from marketedge.broker.token_state import UpstoxApp
        from marketedge.cache import make_backend
        from marketedge.core.db import Database
        from marketedge.ingest.calendar_sync import load_calendar

        database = Database(settings.database_url)
        async with database.sessions() as session:
            calendar = await load_calendar(session)
        backend = make_backend(settings.redis_url, settings.cache_prefix)
        service = TokenService(
            database,
            backend,
            TokenCipher(settings.token_encryption_key),
            base_url=settings.upstox_base_url,
            app=UpstoxApp(
                settings.upstox_client_id,
                settings.upstox_client_secret,
                settings.upstox_redirect_uri,
                settings.upstox_notifier_url,
            ),
            secret_key=settings.secret_key,
            broker="upstox-twin" if settings.data_source == "twin" else "upstox",
        )
        alert_url = settings.alert_webhook_url
        renewal = TokenRenewal(
            service,
            calendar,
            Alerter(alert_url.get_secret_value() if alert_url else None),
            renewal_time=settings.renewal_time,
            reminder_minutes=settings.renewal_reminder_minutes,
        )
        try:
            return await work(renewal)
        finally:
            await service.aclose()
            await backend.close()
            await database.dispose()

    return asyncio.run(main())


def _not_for_the_twin() -> None:
    from marketedge.core.config import get_settings

    if get_settings().data_source == "twin":
        _fail("DATA_SOURCE=twin: the demo mints its own token; set DATA_SOURCE=upstox for a real one")


def register(app: typer.Typer) -> None:
    token_app = typer.Typer(
        help="The Upstox token: store, inspect, request, re-encrypt.", no_args_is_help=True
    )
    app.add_typer(token_app, name="token")

    @token_app.command("set")
    def token_set(
        kind: Annotated[
            Literal["access", "analytics"] | None,
            typer.Option(
                help="access: the daily token, valid until 03:30 IST the next day. analytics: the read-only "
                "token generated on Upstox's developer page, valid a year. Asked when not given."
            ),
        ] = None,
        valid_until: Annotated[
            str | None,
            typer.Option(
                help="For an analytics token that does not carry its expiry: the date Upstox shows, YYYY-MM-DD."
            ),
        ] = None,
    ) -> None:
        """Store a token read from standard input (one line), after Upstox has validated it."""
        from datetime import date, datetime, time

        from marketedge.broker.errors import TokenRefused
        from marketedge.broker.lifetimes import TokenKind, TokenSource
        from marketedge.core.clock import IST
        from marketedge.core.errors import AppError

        _not_for_the_twin()
        if kind is None:
            if not sys.stdin.isatty():
                _fail("say which kind of token this is: --kind access (daily) or --kind analytics (one year)")
            kind = typer.prompt(
                "Which kind of token? access (the daily token, until 03:30 IST tomorrow) or analytics (generated "
                "on Upstox's developer page, valid a year)",
                type=click.Choice(["access", "analytics"]),
            )
        until = None
        if valid_until is not None:
            try:
                until = datetime.combine(date.fromisoformat(valid_until), time(0), tzinfo=IST)
            except ValueError:
                _fail(f"--valid-until: expected YYYY-MM-DD, got {valid_until!r}")
        if sys.stdin.isatty():
            typer.echo("Paste the token and press Enter (it is not echoed to any log):", err=True)
        token = sys.stdin.readline().strip()
        if not token:
            _fail("no token on standard input")

        async def work(renewal: Any) -> str:
            stored = await renewal.service.accept(
                token, TokenKind(kind), TokenSource.cli, "cli", valid_until=until
            )
            return f"stored: {stored.kind.value} token, valid until {stored.valid_until:%Y-%m-%d %H:%M} IST"

        try:
            typer.echo(_run(work))
        except TokenRefused as exc:
            _fail(f"refused, nothing stored: {exc.message}", 1)
        except AppError as exc:
            _fail(exc.message, 1)

    @token_app.command("status")
    def token_status(
        as_json: Annotated[
            bool, typer.Option("--json", help="The status API's JSON instead of text.")
        ] = False,
    ) -> None:
        """What is stored, whether it is usable, the next renewal (never the token itself)."""
        from marketedge.broker.status import broker_status

        async def work(renewal: Any) -> Any:
            return await broker_status(renewal.service, renewal, "")

        status = _run(work)
        if as_json:
            typer.echo(status.model_dump_json(indent=2))
        else:
            typer.echo(_describe(status))
        raise typer.Exit(0 if status.usable else 1)

    @token_app.command("request")
    def token_request() -> None:
        """Send the v3 token request: the account holder approves it in the Upstox app; the token arrives
        at the notifier webhook of the running app."""
        from marketedge.core.errors import AppError
        from marketedge.upstox import UpstoxError

        _not_for_the_twin()

        async def work(renewal: Any) -> str:
            answer = await renewal.service.request_token("cli", "cli")
            return (
                f"requested at {answer.requested_at:%H:%M} IST; approve it in the Upstox app before "
                f"{answer.authorization_expiry:%Y-%m-%d %H:%M} IST. Upstox delivers to "
                f"{answer.notifier_url or 'the notifier URL on your Upstox app'}"
            )

        try:
            typer.echo(_run(work))
        except AppError as exc:
            _fail(exc.message, 1)
        except UpstoxError as exc:
            _fail(f"Upstox refused the request: {exc}", 1)

    @token_app.command("rotate-key")
    def rotate_key() -> None:
        """Re-encrypt the stored tokens with the first TOKEN_ENCRYPTION_KEY (put the new key first, keep the
        old one after it, run this, then drop the old key)."""
        from marketedge.broker.crypto import TokenUnreadable

        async def work(renewal: Any) -> int:
            count: int = await renewal.service.rotate_keys("cli")
            return count

        try:
            count = _run(work)
        except TokenUnreadable:
            _fail("a stored token opens with none of TOKEN_ENCRYPTION_KEY's keys: nothing was changed", 1)
        typer.echo(
            f"re-encrypted {count} stored token(s) with the newest key; the old key can now be removed"
        )


def _describe(status: Any) -> str:
    lines = [
        f"Upstox{' (twin)' if status.simulated else ''}: "
        + ("usable" if status.usable else "connected but NOT usable" if status.connected else "not connected")
    ]
    token = status.token
    if token is not None:
        user = token.upstox_user
        who = f", user {user.user_id or '?'} ({user.user_name or '?'})" if user else ""
        lines.append(
            f"  token: {token.kind.value} via {token.source.value}, {token.status.value}, valid until "
            f"{token.valid_until:%Y-%m-%d %H:%M} IST{who}"
        )
        if token.last_validated_at:
            lines.append(
                f"  last checked: {token.last_validated_at:%Y-%m-%d %H:%M} IST ({token.last_validation})"
            )
        if not token.readable:
            lines.append("  the stored token cannot be decrypted: TOKEN_ENCRYPTION_KEY lacks its key")
    if status.without_token_from is not None:
        lines.append(f"  without a token from: {status.without_token_from:%Y-%m-%d %H:%M} IST")
    renewal = status.renewal
    if renewal.next_at is not None:
        lines.append(f"  next daily check: {renewal.next_at:%a %Y-%m-%d %H:%M} IST")
    if renewal.waiting_for_approval and renewal.request is not None:
        lines.append(
            f"  waiting for approval: requested {renewal.request.requested_at:%H:%M} IST, lapses "
            f"{renewal.request.authorization_expiry:%Y-%m-%d %H:%M} IST"
        )
    if not status.setup.client_configured:
        lines.append("  UPSTOX_CLIENT_ID / UPSTOX_CLIENT_SECRET not set: no login or token request possible")
    for event in status.events[:5]:
        lines.append(f"  {event.at:%Y-%m-%d %H:%M} {event.action} by {event.actor}")
    return "\n".join(lines)
