"""Every error answers in one JSON shape with a stable code, a message and the request id."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field

from marketedge.core.errors import Conflict


class Thing(BaseModel):
    name: str = Field(min_length=1)
    size: int = Field(ge=0)


def _probe_router() -> APIRouter:
    """Routes that exist only to exercise the handlers."""
    router = APIRouter(prefix="/api/v1/_probe")

    @router.post("/things")
    async def create(thing: Thing) -> dict[str, object]:
        return thing.model_dump()

    @router.get("/conflict")
    async def conflict() -> None:
        raise Conflict("that minute is already stored", details={"minute": "09:15"})

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: postgresql://admin:pw@db")

    return router


@pytest.fixture
async def probe_client(app: FastAPI) -> httpx.AsyncClient:
    app.include_router(_probe_router())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def assert_error_shape(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details", "request_id"}
    assert error["code"] == code
    assert error["message"]
    assert error["request_id"] == response.headers["x-request-id"]
    return error


async def test_unknown_path_is_a_json_404(client: httpx.AsyncClient) -> None:
    error = assert_error_shape(await client.get("/api/v1/no-such-thing"), 404, "not_found")
    assert "/api/v1/no-such-thing" in str(error["message"])


async def test_wrong_method_is_a_json_405(client: httpx.AsyncClient) -> None:
    assert_error_shape(await client.delete("/health/live"), 405, "method_not_allowed")


async def test_malformed_body_is_a_422_naming_the_field(probe_client: httpx.AsyncClient) -> None:
    error = assert_error_shape(
        await probe_client.post("/api/v1/_probe/things", json={"name": "", "size": -1}), 422, "invalid_input"
    )
    locations = {d["location"] for d in error["details"]}  # type: ignore[union-attr]
    assert locations == {"body.name", "body.size"}
    not_json = await probe_client.post(
        "/api/v1/_probe/things", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert_error_shape(not_json, 422, "invalid_input")


async def test_an_app_error_keeps_its_status_code_and_details(probe_client: httpx.AsyncClient) -> None:
    error = assert_error_shape(await probe_client.get("/api/v1/_probe/conflict"), 409, "conflict")
    assert error["details"] == {"minute": "09:15"}


async def test_an_unhandled_error_is_logged_and_answers_500_without_internals(
    probe_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = await probe_client.get("/api/v1/_probe/boom", headers={"x-request-id": "req-123"})
    error = assert_error_shape(response, 500, "internal_error")
    assert error["request_id"] == "req-123"
    assert "secret internals" not in response.text
    # Where it failed is logged (the frames), what it said is not: a message can quote what a caller typed.
    logged = " ".join(r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)
    assert "unhandled error" in logged and "boom" in logged and "secret internals" not in logged
    # Answered outside the security middleware, with its headers all the same.
    for name in ("content-security-policy", "x-content-type-options", "x-frame-options"):
        assert name in response.headers, name


async def test_a_malicious_request_id_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live", headers={"x-request-id": "<script>alert(1)</script>"})
    assert response.headers["x-request-id"] != "<script>alert(1)</script>"
    assert len(response.headers["x-request-id"]) == 32
