"""Signed-in test clients for any test: `viewer_client`, `admin_client`, and `sign_in(app, database, role)`.

Sessions are made directly in the database (no password hashing, no login rate limit), so using them costs
a few milliseconds. Users made here have accepted the current privacy notice and terms (CONSENT_REQUIRED is on
by default) unless a test asks for `consented=False`. Add "tests.auth_fixtures" to `pytest_plugins` in tests/conftest.py to use them anywhere.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from marketedge.auth import api_keys, legal, sessions, users
from marketedge.auth.roles import Role, Scope
from marketedge.core import clock
from marketedge.core.db import Database
from marketedge.models import Consent
from marketedge.models.user import User

STRONG_PASSWORD = "correct horse battery staple 7"


def unique_email(label: str = "user") -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}@example.com"


async def make_user(
    database: Database,
    role: Role = Role.viewer,
    *,
    email: str | None = None,
    password: str | None = STRONG_PASSWORD,
    must_change_password: bool = False,
    consented: bool = True,
) -> User:
    async with database.sessions() as session:
        user = await users.create_user(
            session,
            email or unique_email(role.value),
            password,
            role,
            must_change_password=must_change_password,
            check_rules=False,
        )
        if consented:
            # The records the consent screen would leave, without its audit event (tests count those).
            now = clock.utcnow()
            for document, version in legal.consent_versions().items():
                session.add(Consent(user_id=user.id, document=document, version=version, given_at=now))
        await session.commit()
    return user


@dataclass
class SignedIn:
    client: httpx.AsyncClient
    user: User
    csrf: str
    token: str


async def start_session(app: FastAPI, database: Database, user: User) -> tuple[str, str]:
    """(session token, CSRF token) for a new session of `user`."""
    settings = app.state.security.settings
    async with database.sessions() as session:
        new = await sessions.start_session(session, user, settings, ip="127.0.0.1", user_agent="pytest")
        await session.commit()
    return new.token, sessions.csrf_token(settings.secret_key, new.record.id)


def client_for(app: FastAPI, *, base_url: str = "http://testserver", **kwargs: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url, **kwargs)  # type: ignore[arg-type]


async def sign_in(
    app: FastAPI,
    database: Database,
    role: Role = Role.viewer,
    *,
    user: User | None = None,
    consented: bool = True,
) -> SignedIn:
    """A client with a session cookie and the X-CSRF-Token header set (close it when done)."""
    user = user or await make_user(database, role, consented=consented)
    token, csrf = await start_session(app, database, user)
    http = client_for(app, headers={sessions.CSRF_HEADER: csrf})
    http.cookies.set(sessions.SESSION_COOKIE, token)
    return SignedIn(http, user, csrf, token)


async def api_key_for(database: Database, user: User, scopes: list[Scope] | None = None) -> str:
    async with database.sessions() as session:
        db_user = await session.get(User, user.id)
        assert db_user is not None
        _, key = await api_keys.create_key(session, db_user, "test", scopes or [Scope.read])
        await session.commit()
    return key


@pytest.fixture
async def viewer(app: FastAPI, database: Database) -> AsyncIterator[SignedIn]:
    signed = await sign_in(app, database, Role.viewer)
    async with signed.client:
        yield signed


@pytest.fixture
async def admin(app: FastAPI, database: Database) -> AsyncIterator[SignedIn]:
    signed = await sign_in(app, database, Role.admin)
    async with signed.client:
        yield signed


@pytest.fixture
async def viewer_client(viewer: SignedIn) -> httpx.AsyncClient:
    return viewer.client


@pytest.fixture
async def admin_client(admin: SignedIn) -> httpx.AsyncClient:
    return admin.client
