"""Authorization as a table: every route the app registers declares who may call it, only the listed paths
are open, and each role is refused where it must be (a real request for every route)."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI

from marketedge.auth.access import OPEN_ROUTES, as_markdown, problems, route_table
from marketedge.auth.deps import ADMIN, PUBLIC, VIEWER, require
from marketedge.auth.roles import Level, Role, Scope
from marketedge.core.db import Database
from tests.auth_fixtures import api_key_for, client_for, make_user, sign_in


def test_every_route_declares_its_access_and_only_the_listed_ones_are_open(app: FastAPI) -> None:
    found = problems(app)
    assert not found, "routes break the authorization table:\n" + "\n".join(found) + "\n\n" + as_markdown(app)


def test_the_walker_catches_an_undeclared_route_and_an_unlisted_open_one(app: FastAPI) -> None:
    undeclared = APIRouter()

    @undeclared.get("/api/v1/_probe/forgotten")
    async def forgotten() -> None: ...

    sneaky = APIRouter(dependencies=[PUBLIC])

    @sneaky.get("/api/v1/_probe/open")
    async def open_route() -> None: ...

    weak_admin = APIRouter(prefix="/api/v1/admin", dependencies=[VIEWER])

    @weak_admin.post("/_probe")
    async def weak() -> None: ...

    app.include_router(undeclared)
    app.include_router(sneaky)
    app.include_router(weak_admin)
    found = "\n".join(problems(app))
    assert "GET /api/v1/_probe/forgotten: no access declared" in found
    assert "GET /api/v1/_probe/open: declared public, but it is not on the open list" in found
    assert "POST /api/v1/admin/_probe: admin paths need admin access" in found


def test_the_strictest_declaration_wins(app: FastAPI) -> None:
    router = APIRouter(prefix="/api/v1/_probe", dependencies=[VIEWER])

    @router.post("/both", dependencies=[ADMIN])
    async def both() -> None: ...

    @router.post("/ingest", dependencies=[Depends(require(Role.admin, scope=Scope.ingest))])
    async def ingest() -> None: ...

    app.include_router(router)
    rows = {(r.method, r.path): r for r in route_table(app)}
    assert rows[("POST", "/api/v1/_probe/both")].level is Level.admin
    assert rows[("POST", "/api/v1/_probe/ingest")].access.scope is Scope.ingest  # type: ignore[union-attr]


def _request_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _api_rows(app: FastAPI) -> list[tuple[str, str, Level]]:
    return [
        (r.method, r.path, r.level)
        for r in route_table(app)
        if r.level is not None and r.method not in ("HEAD", "MOUNT")
    ]


async def test_each_role_is_refused_where_it_must_be(app: FastAPI, database: Database) -> None:
    """Anonymous gets 401 on every non-open route; a viewer 403 on every admin route; a read-scoped key
    403 on admin and session-only routes. Allowed calls are tested route by route elsewhere."""
    viewer = await sign_in(app, database, Role.viewer)
    admin_user = await make_user(database, Role.viewer)
    read_key = await api_key_for(database, admin_user, [Scope.read])
    checked = 0
    async with (
        client_for(app) as anonymous,
        viewer.client,
        client_for(app, headers={"Authorization": f"Bearer {read_key}"}) as keyed,
    ):
        for method, path, level in _api_rows(app):
            url = _request_path(path)
            if level in (Level.public, Level.webhook):
                assert (method, path) in OPEN_ROUTES
                continue
            answer = await anonymous.request(method, url)
            assert answer.status_code == 401, f"anonymous {method} {path}: {answer.status_code}"
            assert answer.json()["error"]["code"] == "unauthorized"
            if level is Level.admin:
                answer = await viewer.client.request(method, url)
                assert answer.status_code == 403, f"viewer {method} {path}: {answer.status_code}"
            row = next(r for r in route_table(app) if r.method == method and r.path == path)
            assert row.access is not None
            if level is Level.admin or row.access.scope is None:
                answer = await keyed.request(method, url)
                assert answer.status_code == 403, f"read key {method} {path}: {answer.status_code}"
            checked += 1
    assert checked >= 15


ALLOWED: list[tuple[str, str, Role, int]] = [
    # (method, path, the weakest role allowed, expected status); a viewer is allowed where this says viewer
    ("GET", "/api/v1/auth/me", Role.viewer, 200),
    ("GET", "/api/v1/account/api-keys", Role.viewer, 200),
    ("GET", "/api/v1/account/export", Role.viewer, 200),
    ("GET", "/api/v1/admin/users", Role.admin, 200),
    ("GET", "/api/v1/admin/audit", Role.admin, 200),
    ("GET", "/api/v1/admin/audit/export", Role.admin, 200),
    ("GET", "/openapi.json", Role.viewer, 200),
]


@pytest.mark.parametrize(("method", "path", "weakest", "status"), ALLOWED)
async def test_each_role_is_allowed_where_it_may(
    app: FastAPI, database: Database, method: str, path: str, weakest: Role, status: int
) -> None:
    for role in Role:
        signed = await sign_in(app, database, role)
        async with signed.client:
            answer = await signed.client.request(method, path)
        expected = status if role.includes(weakest) else 403
        assert answer.status_code == expected, f"{role} {method} {path}: {answer.text[:200]}"


async def test_registration_is_off_unless_configured(client: httpx.AsyncClient) -> None:
    answer = await client.post("/api/v1/auth/register", json={"email": "a@example.com", "password": "x" * 20})
    assert answer.status_code == 404
