"""Schemathesis against the app's own OpenAPI, signed in as a viewer and as an admin: no 500s, and every answer
matches the schema the app publishes. Bounded: a few generated examples per operation."""

from __future__ import annotations

import json
import time

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from marketedge.auth.roles import Role
from marketedge.db import Database
from tests.auth_fixtures import client_for, make_user, start_session

EXAMPLES_PER_OPERATION = 4
# Routes that stream forever (server-sent events) are exercised by their own tests.
SKIP_PATHS = {"/api/v1/stream"}


def _cases(app: FastAPI) -> list[schemathesis.Case]:
    schema = schemathesis.openapi.from_dict(app.openapi())
    cases: list[schemathesis.Case] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIP_PATHS:
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            database=None,
            deadline=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def collect(case: schemathesis.Case) -> None:
            cases.append(case)

        collect()
    return cases


@pytest.mark.parametrize("role", [Role.viewer, Role.admin])
async def test_the_api_keeps_its_own_schema(app: FastAPI, database: Database, role: Role) -> None:
    started = time.monotonic()
    cases = _cases(app)
    assert len({(c.method, c.path) for c in cases}) >= 15
    failures: list[str] = []
    seen: dict[tuple[str, str, int], int] = {}
    async with client_for(app) as http:
        for case in cases:
            # A fresh person per call: a generated call may sign out, disable or delete the one it uses.
            user = await make_user(database, role)
            token, csrf = await start_session(app, database, user)
            kwargs = case.as_transport_kwargs(base_url="http://testserver")
            headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() != "cookie"}
            headers["X-CSRF-Token"] = csrf
            http.cookies.clear()
            http.cookies.set("me_session", token)
            body = kwargs.get("data") if isinstance(kwargs.get("data"), (bytes, str)) else None
            if "json" in kwargs:  # may be JSON null, which json= cannot send
                body = json.dumps(kwargs["json"]).encode()
                headers.setdefault("Content-Type", "application/json")
            try:
                response = await http.request(
                    kwargs["method"],
                    kwargs["url"],
                    params=kwargs.get("params"),
                    headers=headers,
                    content=body,
                )
            except httpx.HTTPError as exc:  # pragma: no cover - would be a transport bug, reported as such
                failures.append(f"{case.method} {case.formatted_path}: {exc!r}")
                continue
            key = (case.method, case.path, response.status_code)
            seen[key] = seen.get(key, 0) + 1
            if response.status_code == 500 or response.status_code > 504:
                failures.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
                )
                continue
            try:
                # 502/503 are the documented answers when Upstox is unreachable (as here), not bugs: no 500s.
                case.validate_response(
                    response, checks=[response_schema_conformance, content_type_conformance]
                )
            except Exception as exc:
                failures.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: {str(exc)[:400]}"
                )
    reached = {(method, path) for method, path, status in seen if status != 401}
    assert len(reached) >= len({(m, p) for m, p, _ in seen}) - 2, "most operations got past authentication"
    assert not failures, "\n".join(failures[:20])
    # ~10 s a role on an idle machine; the bound only catches a run that stopped being bounded.
    assert time.monotonic() - started < 150
