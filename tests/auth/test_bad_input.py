"""The bad inputs a fuzzer and an attacker found reaching a 500: each now gets a clear answer that names what was
wrong, and the stored data is as it was."""

from __future__ import annotations

import logging

import orjson
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from marketedge.auth.roles import Role
from marketedge.core.db import Database
from marketedge.core.inputs import MAX_ROW_ID
from marketedge.models.audit import AuditEvent
from marketedge.models.user import User
from tests.auth_fixtures import STRONG_PASSWORD, SignedIn, client_for, make_user, sign_in

TOO_BIG = str(MAX_ROW_ID + 1)  # names no row, and no driver can send it as a BIGINT


def _no_500_logged(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", "/api/v1/admin/users/{id}"),
        ("DELETE", "/api/v1/admin/users/{id}"),
        ("GET", "/api/v1/admin/audit?before_id={id}"),
        ("DELETE", "/api/v1/account/api-keys/{id}"),
    ],
)
@pytest.mark.parametrize("row_id", [TOO_BIG, "0", "-1"])
async def test_row_ids_no_row_can_have_are_422(
    admin: SignedIn, method: str, path: str, row_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = {"json": {"role": "viewer"}} if method == "PATCH" else {}
    answer = await admin.client.request(method, path.format(id=row_id), **body)  # type: ignore[arg-type]
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid_input"
    _no_500_logged(caplog)


@pytest.mark.parametrize(
    "since",
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "1999-12-31T23:59:59+05:30",
        "2026-11-25T09:15:00",
    ],
)
async def test_audit_instants_outside_sane_years_or_without_a_zone_are_422(
    admin: SignedIn, since: str, caplog: pytest.LogCaptureFixture
) -> None:
    answer = await admin.client.get("/api/v1/admin/audit", params={"since": since})
    assert answer.status_code == 422, answer.text
    assert "since" in answer.text
    _no_500_logged(caplog)


@pytest.mark.parametrize("email", ["asha\x00@example.com", "asha@exa\x1fmple.com", "\x7fasha@example.com"])
async def test_control_characters_in_a_sign_in_email_are_422_and_never_logged(
    app: FastAPI, email: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with client_for(app) as http:
        answer = await http.post("/api/v1/auth/login", json={"email": email, "password": STRONG_PASSWORD})
    assert answer.status_code == 422, answer.text
    assert "control characters" in answer.text
    assert "asha" not in caplog.text  # what was typed is not in any log line
    _no_500_logged(caplog)


async def test_control_characters_in_stored_text_are_422_and_nothing_is_stored(
    admin: SignedIn, database: Database
) -> None:
    async with database.sessions() as session:
        keys_before = await session.scalar(select(func.count()).select_from(AuditEvent))
    for path, body in [
        ("/api/v1/account/api-keys", {"name": "laptop\x00"}),
        ("/api/v1/admin/users/invite", {"email": "new\x00@example.com"}),
        ("/api/v1/account/consent", {"privacy": "v1\x00", "terms": "v1"}),
    ]:
        answer = await admin.client.post(path, json=body)
        assert answer.status_code == 422, (path, answer.text)
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEvent)) == keys_before


async def test_a_forged_oauth_state_with_non_ascii_text_is_refused_not_a_500(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    async with client_for(app) as http:
        answer = await http.get(
            "/api/v1/broker/upstox/callback", params={"code": "abc", "state": "é" * 10 + ".sig"}
        )
    assert answer.status_code == 302
    assert "result=" in answer.headers["location"] and "connected" not in answer.headers["location"]
    _no_500_logged(caplog)


@pytest.mark.parametrize("expires_at", ["9" * 40, "-" + "9" * 40, "1e308", "0001-01-01T00:00:00+14:00"])
async def test_a_notifier_post_with_an_absurd_time_is_400_not_a_500(
    app: FastAPI, expires_at: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = {
        "client_id": "someone",
        "user_id": "AB1234",
        "access_token": "x" * 40,
        "expires_at": expires_at,
        "message_type": "access_token",
    }
    async with client_for(app) as http:
        answer = await http.post(
            "/api/v1/broker/upstox/notifier",
            content=orjson.dumps(body),
            headers={"Content-Type": "application/json"},
        )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "invalid_notification"
    assert "expires_at" in answer.text
    _no_500_logged(caplog)


@pytest.mark.parametrize("path", ["/index.html%00.js", "/assets/%00", "/" + "a" * 5000 + ".js"])
async def test_paths_no_file_can_have_are_404_or_the_page(
    app: FastAPI, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with client_for(app) as http:
        answer = await http.get(path)
    assert answer.status_code in (200, 404), answer.text[:200]
    assert answer.status_code != 200 or "<!doctype html>" in answer.text.lower()  # the app's page, no file
    _no_500_logged(caplog)


async def test_a_non_ascii_csrf_header_is_403(app: FastAPI, database: Database) -> None:
    signed = await sign_in(app, database, Role.viewer)
    async with signed.client as http:
        answer = await http.post(
            "/api/v1/account/api-keys",
            json={"name": "laptop"},
            headers={"X-CSRF-Token": "é".encode()},  # bytes: httpx sends them as they are
        )
    assert answer.status_code == 403, answer.text


async def test_an_invited_admin_does_not_count_as_the_last_admin(app: FastAPI, database: Database) -> None:
    """The only admin who can sign in may not delete themselves because an invitation is pending: the invited
    admin may never choose a password."""
    admin = await sign_in(app, database, Role.admin)
    invited = await make_user(database, Role.admin)
    async with database.sessions() as session:
        await session.execute(
            update(User)
            .where(User.role == "admin", User.id.not_in([admin.user.id, invited.id]))
            .values(role="viewer")
        )
        await session.execute(update(User).where(User.id == invited.id).values(must_change_password=True))
        await session.commit()
    async with admin.client as http:
        answer = await http.delete(f"/api/v1/admin/users/{admin.user.id}")
        assert answer.status_code == 409 and answer.json()["error"]["code"] == "last_admin"
        own = await http.request("DELETE", "/api/v1/account", json={"password": STRONG_PASSWORD})
        assert own.status_code == 409
    async with database.sessions() as session:
        assert await session.get(User, admin.user.id) is not None
