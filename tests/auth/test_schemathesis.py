"""Schemathesis against the app's own OpenAPI, signed in as a viewer and as an admin: no 5xx, every status code
is one the operation documents, and every answer matches the schema the app publishes. Bounded: a few generated
examples per operation."""

from __future__ import annotations

import json
import time

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as examples
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from marketedge.auth.roles import Role
from marketedge.core.config import Settings
from marketedge.core.db import Database
from marketedge.twin.server import TwinServer
from tests.auth_fixtures import client_for, make_user, start_session

EXAMPLES_PER_OPERATION = 4
# Routes that stream forever (server-sent events) are exercised by their own tests.
SKIP_PATHS = {"/api/v1/stream"}
CHECKS = [response_schema_conformance, content_type_conformance, status_code_conformance]


@pytest.fixture
def settings(settings: Settings, twin: TwinServer) -> Settings:
    # Upstox (the twin) answers: no call made here has a reason to answer 5xx, so any 5xx is a bug.
    return settings.model_copy(update={"upstox_base_url": twin.url})


def _cases(app: FastAPI) -> list[schemathesis.Case]:
    schema = schemathesis.openapi.from_dict(app.openapi())
    cases: list[schemathesis.Case] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIP_PATHS:
            continue

        @given(case=operation.as_strategy())
        @examples(
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
    failures: dict[tuple[str, str, int], str] = {}  # the first of each (operation, status)
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
                failures.setdefault((case.method, case.path, 0), f"{case.formatted_path}: {exc!r}")
                continue
            key = (case.method, case.path, response.status_code)
            seen[key] = seen.get(key, 0) + 1
            if response.status_code >= 500:
                failures.setdefault(key, f"{case.formatted_path}: {response.text[:300]}")
                continue
            try:
                case.validate_response(response, checks=CHECKS)
            except (FailureGroup, AssertionError) as exc:  # FailureGroup is a BaseExceptionGroup
                problems = getattr(exc, "exceptions", [exc])
                text = "; ".join(" ".join(str(p).split())[:300] for p in problems)
                failures.setdefault(key, f"{case.formatted_path}: {text}")
    reached = {(method, path) for method, path, status in seen if status != 401}
    assert len(reached) >= len({(m, p) for m, p, _ in seen}) - 2, "most operations got past authentication"
    assert not failures, "\n".join(f"{m} {p} -> {s}: {why}" for (m, p, s), why in sorted(failures.items()))
    # ~10 s a role on an idle machine; the bound only catches a run that stopped being bounded.
    assert time.monotonic() - started < 150
