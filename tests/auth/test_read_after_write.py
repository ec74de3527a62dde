"""Acknowledged means committed: what a write answered 2xx for is there for the very next request (a new
session, a new API key, a new consent), and a commit that fails is a 5xx, never a 2xx for a lost write."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from marketedge.app import create_app
from marketedge.auth import passwords
from marketedge.auth.roles import Role
from marketedge.core.config import Settings
from marketedge.core.db import Database
from tests.auth_fixtures import make_user, sign_in

ITERATIONS = 1000
PEOPLE = 16
PASSWORD = "a long enough passphrase for the test"


@dataclass
class Served:
    app: FastAPI
    url: str


SLOW_TABLES = ("user_session", "api_key", "consent")


async def _slow_commits(database: Database, on: bool) -> None:
    """A commit that takes its time, as on a busy disk: a deferred trigger that waits inside COMMIT. A write
    answered before its commit is then seen missing by the next request every time, not once in a while."""
    async with database.engine.begin() as connection:
        if on:
            await connection.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION me_test_slow_commit() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN PERFORM pg_sleep(0.02); RETURN NULL; END $$"
            )
        for table in SLOW_TABLES:
            await connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS me_test_slow_commit ON {table}")
            if on:
                await connection.exec_driver_sql(
                    f"CREATE CONSTRAINT TRIGGER me_test_slow_commit AFTER INSERT ON {table} "
                    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION me_test_slow_commit()"
                )


@pytest.fixture
async def pg_served(settings: Settings, database: Database) -> AsyncIterator[Served]:
    """The app on PostgreSQL behind a real HTTP server: an in-process transport waits for the whole app,
    teardown included, and would never see an answer sent before its commit."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("a thousand rounds on PostgreSQL: the PostgreSQL pass runs them")
    # Each round signs in from an address of its own (through a trusted proxy's X-Forwarded-For): sign-ins are
    # limited per address, and a thousand of them from one is not what this test is about (nor is the per-person
    # limit on calls).
    application = create_app(
        settings.model_copy(update={"trusted_proxies": ["127.0.0.1/32"], "api_rate_limit": "100000/minute"})
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(
            application, host="127.0.0.1", port=port, lifespan="on", log_config=None, access_log=False
        )
    )
    await _slow_commits(database, on=True)
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(1000):
            if server.started or serving.done():
                break
            await asyncio.sleep(0.01)
        assert server.started, "the app did not start"
        yield Served(application, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        await serving
        await _slow_commits(database, on=False)


async def _sign_in(http: httpx.AsyncClient, email: str) -> dict[str, str]:
    login = await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"X-CSRF-Token": login.json()["csrf_token"]}


async def test_a_new_session_key_and_consent_work_on_the_very_next_request(
    pg_served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Sign-in hashes are not under test here: a cheap argon2 keeps a thousand sign-ins to seconds.
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    database: Database = pg_served.app.state.db
    failures: dict[str, int] = {"session": 0, "api_key": 0, "consent": 0}
    rounds = iter(range(ITERATIONS))

    async def person() -> None:
        # A person of their own: withdrawing consent signs every session of that person out.
        user = await make_user(database, Role.viewer, password=PASSWORD, consented=False)
        # A new connection for every request, as a browser's parallel requests or another replica would be: on a
        # kept-alive connection the server finishes one request, teardown included, before it reads the next.
        fresh = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=pg_served.url, limits=fresh) as http:
            for i in rounds:
                http.cookies.clear()
                http.headers["X-Forwarded-For"] = f"10.{i // 250}.{i % 250}.7"
                await one_round(http, i, user.email)

    async def one_round(http: httpx.AsyncClient, i: int, email: str) -> None:
        csrf = await _sign_in(http, email)
        if (await http.get("/api/v1/auth/me")).status_code != 200:
            failures["session"] += 1
            return
        # The last round withdrew consent (the first starts without): accept, and read at once.
        asked = await http.get("/api/v1/account/consent")
        given = await http.post("/api/v1/account/consent", json=asked.json()["required"], headers=csrf)
        assert given.status_code == 200, given.text
        if (await http.get("/api/v1/instruments")).status_code != 200:
            failures["consent"] += 1
        made = await http.post("/api/v1/account/api-keys", json={"name": f"key {i}"}, headers=csrf)
        assert made.status_code == 201, made.text
        me = await http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {made.json()['key']}"})
        if me.status_code != 200:
            failures["api_key"] += 1
        # Withdrawing signs this person out everywhere and revokes the key: the next round starts afresh.
        assert (await http.delete("/api/v1/account/consent", headers=csrf)).status_code == 204

    # Several people at once, as on a real morning: the server is busy when each answer leaves it.
    await asyncio.gather(*(person() for _ in range(PEOPLE)))
    assert failures == {"session": 0, "api_key": 0, "consent": 0}


async def test_a_commit_that_fails_is_a_5xx_not_a_2xx(app: FastAPI, database: Database) -> None:
    signed = await sign_in(app, database, Role.viewer)

    def refuse(session: object) -> None:
        raise OperationalError("COMMIT", {}, Exception("the database went away"))

    engine = app.state.db.engine.sync_engine
    async with signed.client as http:
        event.listen(engine, "commit", refuse)
        try:
            answer = await http.post("/api/v1/account/api-keys", json={"name": "lost"})
        finally:
            event.remove(engine, "commit", refuse)
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"]
        keys = (await http.get("/api/v1/account/api-keys")).json()
    assert [k for k in keys if k["name"] == "lost"] == []
