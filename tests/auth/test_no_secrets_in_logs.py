"""Everything logged during sign-in, API keys, a password change and sign-out: no password, session token,
CSRF token or API key may appear in it, in any logger, at any level."""

from __future__ import annotations

import io
import logging

from fastapi import FastAPI

from marketedge.core.db import Database
from tests.auth_fixtures import STRONG_PASSWORD, client_for, make_user

NEW_PASSWORD = "another quite long passphrase 42"


async def test_no_secret_reaches_the_logs(app: FastAPI, database: Database) -> None:
    user = await make_user(database)
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    root = logging.getLogger()
    handler.setFormatter(root.handlers[0].formatter if root.handlers else None)
    handler.setLevel(logging.DEBUG)
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    secrets: list[str] = [STRONG_PASSWORD, NEW_PASSWORD, "wrong guess password 1"]
    try:
        async with client_for(app) as http:
            await http.post(
                "/api/v1/auth/login", json={"email": user.email, "password": "wrong guess password 1"}
            )
            signed = await http.post(
                "/api/v1/auth/login", json={"email": user.email, "password": STRONG_PASSWORD}
            )
            assert signed.status_code == 200
            csrf = signed.json()["csrf_token"]
            secrets += [http.cookies["me_session"], csrf]
            http.headers["X-CSRF-Token"] = csrf
            created = await http.post("/api/v1/account/api-keys", json={"name": "logging"})
            key = created.json()["key"]
            secrets.append(key)
            async with client_for(app, headers={"Authorization": f"Bearer {key}"}) as keyed:
                await keyed.get("/api/v1/auth/me")
                await keyed.get("/api/v1/auth/me?token=" + key)  # even a key in the query string
            bad = await http.post(
                "/api/v1/auth/password", json={"current_password": STRONG_PASSWORD, "new_password": "short"}
            )
            assert bad.status_code == 422
            changed = await http.post(
                "/api/v1/auth/password",
                json={"current_password": STRONG_PASSWORD, "new_password": NEW_PASSWORD},
            )
            assert changed.status_code == 204
            await http.post("/api/v1/auth/logout")
            # A malformed body must not echo the password into a validation error's log either.
            await http.post(
                "/api/v1/auth/login", json={"email": user.email, "password": NEW_PASSWORD, "extra": 1}
            )
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
    text = captured.getvalue()
    assert '"path": "/api/v1/auth/login"' in text, "the access log was captured"
    for secret in secrets:
        assert secret not in text, f"a secret ({secret[:4]}…) reached the logs"
