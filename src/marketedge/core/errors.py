"""The AppError family and the handlers that give every error one JSON shape."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from marketedge.core.jsonresponse import json_bytes


class AppError(Exception):
    """An error a client can act on: a stable code, a human message, an HTTP status."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers or {}


class InvalidInput(AppError):
    status_code = 422
    code = "invalid_input"


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class RateLimited(AppError):
    status_code = 429
    code = "rate_limited"


class UpstreamError(AppError):
    """Upstox answered with something we cannot use."""

    status_code = 502
    code = "upstream_error"


class UpstreamUnavailable(AppError):
    status_code = 503
    code = "upstream_unavailable"


class TokenMissing(AppError):
    status_code = 503
    code = "broker_token_missing"


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_shape(request_id: str | None, code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The one error shape every failed answer has (and every failed part of /api/v1/tracker)."""
    return {"error": {"code": code, "message": message, "details": details, "request_id": request_id}}


def error_bytes(request_id: str | None, code: str, message: str, details: Any = None) -> bytes:
    return json_bytes(error_shape(request_id, code, message, details))


def error_body(request: Request, code: str, message: str, details: Any = None) -> bytes:
    return error_bytes(getattr(request.state, "request_id", None), code, message, details)


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    return Response(
        error_body(request, code, message, details),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


async def _app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return error_response(request, exc.status_code, exc.code, exc.message, exc.details, exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    if exc.status_code == 404 and exc.detail == "Not Found":
        message = f"No such path: {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    return error_response(request, exc.status_code, code, message, headers=dict(exc.headers or {}))


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "location": ".".join(str(p) for p in err.get("loc", ())),
            "message": err.get("msg", ""),
            "type": err.get("type", ""),
        }
        for err in exc.errors()
    ]
    summary = "; ".join(f"{p['location']}: {p['message']}" for p in problems[:3])
    return error_response(request, 422, "invalid_input", f"Invalid request: {summary}", problems)


DATABASE_RETRY_SECONDS = 30


def database_unavailable(exc: BaseException) -> bool:
    """Whether an error says the database cannot be reached (not that a query was wrong)."""
    from sqlalchemy import exc as sa

    if isinstance(exc, sa.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(
        exc,
        sa.OperationalError | sa.InterfaceError | sa.DisconnectionError | sa.TimeoutError | ConnectionError,
    )


async def _database_error(request: Request, exc: Exception) -> Response:
    if not database_unavailable(exc):
        raise exc  # a wrong query is a bug: the last-resort 500 logs it
    return error_response(
        request,
        503,
        "database_unavailable",
        "The database is not answering; nothing was changed. Try again in a minute.",
        {"retry_after": DATABASE_RETRY_SECONDS},
        {"Retry-After": str(DATABASE_RETRY_SECONDS)},
    )


def install_error_handlers(app: FastAPI) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(SQLAlchemyError, _database_error)
    app.add_exception_handler(ConnectionError, _database_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    # Anything else is answered by RequestContextMiddleware, so the 500 carries the request id too.
