"""Admins list, create, invite, change roles, disable and delete users (never the last admin); the audit log
records it and admins read and export it."""

from __future__ import annotations

import csv
import io

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update

from marketedge.auth.roles import Role
from marketedge.core.db import Database
from marketedge.models.user import User
from tests.auth_fixtures import SignedIn, make_user, sign_in, unique_email


async def test_admin_creates_lists_and_changes_users(admin: SignedIn) -> None:
    http = admin.client
    email = unique_email("new")
    created = await http.post(
        "/api/v1/admin/users", json={"email": email, "password": "a long enough passphrase"}
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["role"] == "viewer" and "password" not in str(user).lower().replace(
        "must_change_password", ""
    )
    again = await http.post(
        "/api/v1/admin/users", json={"email": email.upper(), "password": "a long enough passphrase"}
    )
    assert again.status_code == 409
    weak = await http.post("/api/v1/admin/users", json={"email": unique_email(), "password": "qwerty"})
    assert weak.status_code == 422
    listed = await http.get("/api/v1/admin/users")
    assert email in [u["email"] for u in listed.json()]
    promoted = await http.patch(f"/api/v1/admin/users/{user['id']}", json={"role": "admin"})
    assert promoted.json()["role"] == "admin"
    disabled = await http.patch(f"/api/v1/admin/users/{user['id']}", json={"is_active": False})
    assert disabled.json()["is_active"] is False
    assert (await http.delete(f"/api/v1/admin/users/{user['id']}")).status_code == 204
    assert (await http.delete(f"/api/v1/admin/users/{user['id']}")).status_code == 404

    log = (await http.get("/api/v1/admin/audit", params={"actor": admin.user.email})).json()["events"]
    actions = [e["action"] for e in log if e["target"] == email]
    assert actions == ["user.deleted", "user.disabled", "user.role_changed", "user.created"]
    changed = next(e for e in log if e["action"] == "user.role_changed")
    assert changed["details"] == {"from": "viewer", "to": "admin"} and changed["ip"] == "127.0.0.1"


async def _only_admin(database: Database, keep: int) -> None:
    """Make `keep` the only active admin (other tests leave admins behind in the shared database)."""
    async with database.sessions() as session:
        await session.execute(update(User).where(User.role == "admin", User.id != keep).values(role="viewer"))
        await session.commit()


async def test_the_last_admin_is_never_removed(app: FastAPI, database: Database) -> None:
    admin = await sign_in(app, database, Role.admin)
    await _only_admin(database, admin.user.id)
    uid = admin.user.id
    async with admin.client as http:
        for change in ({"role": "viewer"}, {"is_active": False}):
            answer = await http.patch(f"/api/v1/admin/users/{uid}", json=change)
            assert answer.status_code == 409 and answer.json()["error"]["code"] == "last_admin"
        assert (await http.delete(f"/api/v1/admin/users/{uid}")).status_code == 409
        from tests.auth_fixtures import STRONG_PASSWORD

        own = await http.request("DELETE", "/api/v1/account", json={"password": STRONG_PASSWORD})
        assert own.status_code == 409
        second = await make_user(database, Role.admin)
        assert (await http.patch(f"/api/v1/admin/users/{uid}", json={"role": "viewer"})).status_code == 200
    async with database.sessions() as session:
        assert (await session.get(User, second.id)).role == "admin"  # type: ignore[union-attr]


async def test_the_audit_log_pages_filters_and_exports(admin: SignedIn, database: Database) -> None:
    http = admin.client
    for _ in range(3):
        await http.post("/api/v1/admin/users/invite", json={"email": unique_email("=cmd")})
    first = (await http.get("/api/v1/admin/audit", params={"action": "user", "limit": 2})).json()
    assert len(first["events"]) == 2 and first["next_before_id"]
    second = (
        await http.get(
            "/api/v1/admin/audit", params={"action": "user", "limit": 2, "before_id": first["next_before_id"]}
        )
    ).json()
    assert second["events"][0]["id"] < first["events"][-1]["id"]

    exported = await http.get(
        "/api/v1/admin/audit/export", params={"actor": admin.user.email, "action": "user.invited"}
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 3 and all(r["action"] == "user.invited" for r in rows)
    assert all(r["target"].startswith("'=") for r in rows)  # no formula runs in a spreadsheet

    as_json = await http.get(
        "/api/v1/admin/audit/export", params={"format": "json", "actor": admin.user.email}
    )
    events = as_json.json()
    assert {e["action"] for e in events} >= {"user.invited", "audit.exported"}

    empty = await http.get("/api/v1/admin/audit/export", params={"actor": "nobody@example.com"})
    assert empty.text.strip() == "id,at,actor,action,target,ip,details"
    naive = await http.get("/api/v1/admin/audit", params={"since": "2026-11-25T09:15:00"})
    assert naive.status_code == 422


async def test_viewers_cannot_read_the_audit_log(viewer_client: httpx.AsyncClient) -> None:
    assert (await viewer_client.get("/api/v1/admin/audit")).status_code == 403
    assert (await viewer_client.get("/api/v1/admin/audit/export")).status_code == 403


async def test_login_success_and_failure_are_audited_without_secrets(
    app: FastAPI, database: Database
) -> None:
    from marketedge.models.audit import AuditEvent
    from tests.auth_fixtures import STRONG_PASSWORD, client_for

    user = await make_user(database)
    async with client_for(app) as http:
        await http.post("/api/v1/auth/login", json={"email": user.email, "password": "wrong guess 1"})
        await http.post(
            "/api/v1/auth/login", json={"email": "typo-" + user.email, "password": "wrong guess 2"}
        )
        await http.post("/api/v1/auth/login", json={"email": user.email, "password": STRONG_PASSWORD})
    async with database.sessions() as session:
        events = list(
            await session.scalars(select(AuditEvent).where(AuditEvent.actor.in_([user.email, "anonymous"])))
        )
    mine = [(e.action, (e.details or {}).get("reason")) for e in events if e.actor == user.email]
    assert mine == [("login.failure", "wrong_password"), ("login.success", None)]
    assert any(e.details == {"reason": "unknown_email"} for e in events if e.actor == "anonymous")
    text = " ".join(str((e.actor, e.target, e.details)) for e in events)
    assert "wrong guess" not in text and STRONG_PASSWORD not in text and "typo-" not in text
