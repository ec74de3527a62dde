"""The error answers the account routes can give, documented in OpenAPI in the app's one error shape."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None
    request_id: str | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    words = {
        400: "The request cannot be done as asked",
        401: "Not signed in, or the credentials are wrong",
        403: "Signed in, but not allowed (role, scope, CSRF or origin)",
        404: "No such thing",
        409: "Conflicts with the current state",
        413: "The body is too large",
        422: "The input is malformed: the details name each field",
        429: "Too many requests: see Retry-After",
        502: "Upstox answered with an error",
        503: "Upstox could not be reached; nothing was changed",
    }
    return {status: {"model": ErrorBody, "description": words[status]} for status in statuses}


COMMON = errors(401, 403, 429)
