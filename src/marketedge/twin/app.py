"""create_twin_app(): the Upstox twin as an ASGI app (Upstox's paths and bodies, plus the /twin/ control API)."""

from __future__ import annotations

import asyncio
import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marketedge.core.clock import Clock
from marketedge.twin import control, login, marketdata
from marketedge.twin import responses as r
from marketedge.twin.config import TwinConfig
from marketedge.twin.control import ControlError
from marketedge.twin.responses import UpstoxError, error_response, plain
from marketedge.twin.state import TwinState

log = logging.getLogger("marketedge.twin")

CONTROL_PREFIX = "/twin/"
# A body that starts like a chain answer and stops mid-row: what a cut connection or a broken proxy gives.
MALFORMED_BODY = b'{"status":"success","data":[{"expiry":"2026-1'


class UpstoxGate:
    """In front of every Upstox path: fault switches first (slow, 429, 5xx, malformed JSON), then the
    per-token, per-API rate limits, and a last-resort 500 in Upstox's envelope. /twin/ paths pass straight through."""

    def __init__(self, app: ASGIApp, state: TwinState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        faults = self.state.faults
        slow = faults.take(("slow",), path)
        if slow is not None:
            await asyncio.sleep(slow.delay_seconds)
        fault = faults.take(("rate_limit", "server_error", "malformed_json"), path)
        if fault is not None:
            await _fault_response(fault.kind, fault.status)(scope, receive, send)
            return
        token = _bearer(scope)
        if token is not None and not self.state.limiter.allow(token, path):
            await error_response(429, r.TOO_MANY_REQUESTS)(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("twin: unhandled error on %s", path)
            if not started:
                await error_response(500, r.UNEXPECTED)(scope, receive, send)


def _fault_response(kind: str, status: int) -> Response:
    if kind == "rate_limit":
        return error_response(429, r.TOO_MANY_REQUESTS)
    if kind == "server_error":
        return error_response(status, r.UNEXPECTED if status == 500 else r.SERVICE_UNAVAILABLE)
    return Response(MALFORMED_BODY, media_type="application/json")


def _bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            token = token.strip()
            return token if scheme.lower() == "bearer" and token else None
    return None


async def _upstox_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UpstoxError)
    return exc.response()


async def _control_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ControlError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith(CONTROL_PREFIX):
        return plain({"error": f"{exc.detail}: {request.method} {request.url.path}"}, exc.status_code)
    if exc.status_code == 405:
        return error_response(405, r.METHOD_NOT_ALLOWED)
    if exc.status_code == 404:
        return error_response(404, r.NOT_FOUND)
    return error_response(exc.status_code, (r.UNEXPECTED[0], str(exc.detail)))


def create_twin_app(config: TwinConfig | None = None, clock: Clock | None = None) -> Starlette:
    """The twin over a fresh TwinState (reachable as `app.state.twin`).

    `clock` defaults to the app's clock (`marketedge.core.clock.now()`, so `use_clock` moves the twin too); give
    a ManualClock or ShiftedClock for fixed moments or fast simulated days.
    """
    state = TwinState(config, clock)
    app = Starlette(
        routes=[*login.routes, *marketdata.routes, *control.routes],
        middleware=[Middleware(UpstoxGate, state=state)],
        exception_handlers={
            UpstoxError: _upstox_error,
            ControlError: _control_error,
            HTTPException: _http_error,
        },
    )
    app.state.twin = state
    return app
