"""ASGI middleware: a request id for every request, one access-log line (method, path, status, duration),
and the last-resort 500 in the one error shape for anything unhandled: with the security headers (it is
answered outside the security middleware) and a log line of where it failed, never what the caller typed."""

from __future__ import annotations

import re
import time
import traceback
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marketedge.auth.security_headers import SECURITY_HEADERS
from marketedge.core.errors import error_bytes

log = structlog.get_logger("marketedge.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_QUIET_PATHS = ("/health/live", "/health")


class RequestContextMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware cost on the hot path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _VALID_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        started_response = False

        async def send_with_id(message: Message) -> None:
            nonlocal status
            nonlocal started_response
            if message["type"] == "http.response.start":
                status = message["status"]
                started_response = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            # The frames, not the message: an error's message can quote what the caller sent (an email, a key).
            log.error(
                "unhandled error",
                method=scope.get("method"),
                path=scope.get("path"),
                error=type(exc).__name__,
                stack=[
                    f"{f.filename}:{f.lineno} in {f.name}"
                    for f in traceback.extract_tb(exc.__traceback__)[-8:]
                ],
            )
            if started_response:
                raise
            body = error_bytes(
                request_id, "internal_error", "Something went wrong on our side; it has been logged."
            )
            await send_with_id(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        *SECURITY_HEADERS,
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send_with_id({"type": "http.response.body", "body": body})
        finally:
            path = scope.get("path", "")
            if not (path in _QUIET_PATHS and status < 400):
                log.info(
                    "request",
                    method=scope.get("method"),
                    path=path,
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            structlog.contextvars.unbind_contextvars("request_id")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None
