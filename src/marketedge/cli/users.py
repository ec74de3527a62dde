"""`marketedge user create` and `marketedge api-key create`: the first admin and script keys, from a shell."""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer

from marketedge.auth.roles import Role, Scope


def _fail(message: str) -> None:
    typer.echo(f"marketedge: {message}", err=True)
    raise typer.Exit(2)


def _database():  # type: ignore[no-untyped-def]
    """The configured database, migrated (outside any event loop: preparing it runs one of its own)."""
    from marketedge.cli.common import prepare_database
    from marketedge.core.config import ConfigError, get_settings
    from marketedge.core.db import Database

    try:
        settings = get_settings()
    except ConfigError as exc:
        _fail(f"configuration error: {exc}")
        raise
    prepare_database(settings.database_url, always_upgrade=not settings.is_production)
    return Database(settings.database_url)


def register(app: typer.Typer) -> None:
    user_app = typer.Typer(help="People who may sign in.", no_args_is_help=True)
    key_app = typer.Typer(help="Personal API keys for scripts.", no_args_is_help=True)
    app.add_typer(user_app, name="user")
    app.add_typer(key_app, name="api-key")

    @user_app.command("create")
    def user_create(
        email: Annotated[str, typer.Option(help="Their email (the sign-in name).")],
        admin: Annotated[bool, typer.Option("--admin", help="Make them an admin (default: viewer).")] = False,
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="Read the password from standard input (one line).")
        ] = False,
    ) -> None:
        """Create a user; the first admin is made this way. The password comes from standard input only."""
        from marketedge.auth.passwords import PasswordRejected

        if not password_stdin:
            _fail("say --password-stdin and pipe the password in (it never goes on the command line)")
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            _fail("no password on standard input")

        database = _database()

        async def run() -> str:
            from marketedge.auth import audit, users

            try:
                async with database.sessions() as session:
                    user = await users.create_user(
                        session, email, password, Role.admin if admin else Role.viewer
                    )
                    await audit.record(
                        session,
                        audit.SYSTEM,
                        "user.created",
                        target=user.email,
                        details={"role": user.role, "via": "cli"},
                    )
                    await session.commit()
                    return f"created {user.role} {user.email} (id {user.id})"
            finally:
                await database.dispose()

        from marketedge.core.errors import AppError

        try:
            typer.echo(asyncio.run(run()))
        except PasswordRejected as exc:
            _fail(f"password refused: {exc}")
        except AppError as exc:
            _fail(exc.message)

    @key_app.command("create")
    def key_create(
        email: Annotated[str, typer.Option(help="Whose key it is.")],
        name: Annotated[str, typer.Option(help="What it is for, e.g. 'ingest cron'.")],
        scope: Annotated[
            list[Scope] | None,
            typer.Option("--scope", help="read (default), ingest or admin; repeat for several."),
        ] = None,
    ) -> None:
        """Create an API key and print it once (only its hash is kept)."""

        database = _database()

        async def run() -> str:
            from marketedge.auth import api_keys, audit, users

            try:
                async with database.sessions() as session:
                    user = await users.find_by_email(session, email)
                    if user is None:
                        raise LookupError(f"no user {email.strip().lower()}")
                    record, key = await api_keys.create_key(session, user, name, list(scope or [Scope.read]))
                    await audit.record(
                        session,
                        audit.SYSTEM,
                        "api_key.created",
                        target=record.prefix,
                        details={
                            "owner": user.email,
                            "name": record.name,
                            "scopes": record.scopes,
                            "via": "cli",
                        },
                    )
                    await session.commit()
                    return key
            finally:
                await database.dispose()

        from marketedge.core.errors import AppError

        try:
            key = asyncio.run(run())
        except LookupError as exc:
            _fail(str(exc))
            return
        except AppError as exc:
            _fail(exc.message)
            return
        typer.echo("The key (shown this once; send it as `Authorization: Bearer <key>`):", err=True)
        typer.echo(key)
