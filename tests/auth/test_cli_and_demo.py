"""`marketedge user create`, `marketedge api-key create`, and the demo account."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from click.testing import Result
from fastapi import FastAPI
from typer.testing import CliRunner

from marketedge.auth import api_keys
from marketedge.auth.demo import ensure_demo_account
from marketedge.cli import app as cli
from marketedge.core.config import get_settings
from marketedge.core.db import Database
from tests.auth_fixtures import client_for, unique_email


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MARKETEDGE_ENV", "test")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def test_user_and_api_key_creation_from_the_shell(cli_env: None, database: Database) -> None:
    def run(args: list[str], stdin: str | None = None) -> Result:
        # In a thread: the command runs its own event loop, as it does from a shell.
        return CliRunner().invoke(cli, args, stdin)

    email = unique_email("Boot")
    made = await asyncio.to_thread(
        run,
        ["user", "create", "--email", email, "--admin", "--password-stdin"],
        "the first admin's passphrase\n",
    )
    assert made.exit_code == 0, made.output
    assert f"created admin {email.lower()}" in made.output
    again = await asyncio.to_thread(
        run, ["user", "create", "--email", email, "--password-stdin"], "the first admin's passphrase\n"
    )
    assert again.exit_code == 2 and "exists already" in again.output
    weak = await asyncio.to_thread(
        run, ["user", "create", "--email", unique_email(), "--password-stdin"], "password1\n"
    )
    assert weak.exit_code == 2 and "password refused" in weak.output
    no_stdin = await asyncio.to_thread(run, ["user", "create", "--email", unique_email()])
    assert no_stdin.exit_code == 2

    key_run = await asyncio.to_thread(
        run, ["api-key", "create", "--email", email, "--name", "ingest cron", "--scope", "ingest"]
    )
    assert key_run.exit_code == 0, key_run.output
    key = key_run.stdout.strip().splitlines()[-1]
    assert key.startswith("me_")
    async with database.sessions() as session:
        found = await api_keys.find_key(session, key)
    assert found is not None and (found[1].email, found[0].scopes) == (email.lower(), ["ingest"])
    nobody = await asyncio.to_thread(
        run, ["api-key", "create", "--email", "nobody@example.com", "--name", "x"]
    )
    assert nobody.exit_code == 2


async def test_the_demo_account_signs_in_and_gets_a_new_password_each_start(
    app: FastAPI, database: Database
) -> None:
    email, first = await ensure_demo_account(database)
    email_again, second = await ensure_demo_account(database)
    assert email == email_again and first != second
    async with client_for(app) as http:
        old = await http.post("/api/v1/auth/login", json={"email": email, "password": first})
        new = await http.post("/api/v1/auth/login", json={"email": email, "password": second})
    assert old.status_code == 401
    assert new.status_code == 200 and new.json()["user"]["role"] == "viewer"
    # The demo opens on the tracker: its consent is recorded (once), so the gate lets it through.
    assert new.json()["consent"] == {"required": True, "current": True, "needed": False}
    async with client_for(app) as http:
        await http.post("/api/v1/auth/login", json={"email": email, "password": second})
        assert (await http.get("/api/v1/instruments")).status_code == 200
        history = (await http.get("/api/v1/account/consent")).json()["history"]
    assert [(h["document"], h["withdrawn_at"]) for h in history] == [("privacy", None), ("terms", None)]
