"""The one error taxonomy of the Upstox client, and how each error surfaces through our API (502/503)."""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from marketedge.core import errors as app_errors

# Upstox error codes the client acts on (docs/upstox-api.md §5).
INVALID_TOKEN = "UDAPI100050"  # noqa: S105 (an error code, not a secret)
TOO_MANY_REQUESTS = "UDAPI10005"
EXTENDED_TOKEN_NOT_ALLOWED = "UDAPI100067"  # noqa: S105 (an error code)
OUTSIDE_SERVICE_HOURS = "UDAPI100074"  # unconfirmed: APIs answer roughly 05:30–24:00 IST


def token_fingerprint(token: str) -> str:
    """A short, one-way name for a token, so the token service can tell which token was rejected."""
    return hashlib.sha256(token.encode()).hexdigest()[:12]


class UpstoxError(Exception):
    """Anything that went wrong talking to Upstox. Never carries the token, only where and what."""

    #: Whether another attempt of the same call may succeed.
    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_code: str | None = None,
        path: str | None = None,
        endpoint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.path = path
        self.endpoint = endpoint

    def __str__(self) -> str:
        where = " ".join(str(part) for part in (self.endpoint, self.path) if part)
        facts = ", ".join(
            part for part in (f"HTTP {self.status}" if self.status else None, self.error_code) if part
        )
        text = self.message
        if where:
            text += f" [{where}]"
        if facts:
            text += f" ({facts})"
        return text

    def details(self) -> dict[str, Any]:
        return {
            "upstox_status": self.status,
            "upstox_error_code": self.error_code,
            "endpoint": self.endpoint,
        }

    def to_app_error(self) -> app_errors.AppError:
        """The error our own API answers with when an endpoint surfaces this one (never a 500)."""
        return app_errors.UpstreamError(f"Upstox call failed: {self.message}", details=self.details())


class NoToken(UpstoxError):
    """No broker token is available for an authenticated call (nothing was sent)."""

    def to_app_error(self) -> app_errors.AppError:
        return app_errors.TokenMissing(
            "No Upstox token is connected: connect the broker first", details=self.details()
        )


class TokenInvalid(UpstoxError):
    """HTTP 401 / UDAPI100050: the token is dead or unknown. Never retried; the token service is told."""

    def __init__(self, message: str, *, token_fingerprint: str | None = None, **where: Any) -> None:
        super().__init__(message, **where)
        self.token_fingerprint = token_fingerprint

    def to_app_error(self) -> app_errors.AppError:
        return app_errors.TokenMissing(
            "Upstox rejected the broker token: reconnect the broker", details=self.details()
        )


class RateLimited(UpstoxError):
    """HTTP 429 / UDAPI10005: over Upstox's limits. Backed off (Retry-After when given), then retried."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **where: Any) -> None:
        super().__init__(message, **where)
        self.retry_after = retry_after

    def to_app_error(self) -> app_errors.AppError:
        seconds = max(1, round(self.retry_after or 1))
        return app_errors.UpstreamUnavailable(
            "Upstox is limiting our requests; try again shortly",
            details=self.details(),
            headers={"Retry-After": str(seconds)},
        )


class UpstreamUnavailable(UpstoxError):
    """5xx, 423, timeouts, connection errors: retried with exponential back-off and jitter, bounded.

    `request_sent` is False when the request surely never reached Upstox (connection refused, connect
    timeout): only then is a call that is not idempotent (code exchange, v3 token request) retried.
    """

    retryable = True

    def __init__(self, message: str, *, request_sent: bool = True, **where: Any) -> None:
        super().__init__(message, **where)
        self.request_sent = request_sent

    def to_app_error(self) -> app_errors.AppError:
        return app_errors.UpstreamUnavailable(
            f"Upstox is unavailable: {self.message}", details=self.details()
        )


class ServiceClosed(UpstreamUnavailable):
    """UDAPI100074: the APIs are outside their service hours; retrying now cannot help."""

    retryable = False


class BadRequest(UpstoxError):
    """Any other 4xx: Upstox refused the request; the message and error code are Upstox's own."""


class ExtendedTokenNotAllowed(BadRequest):
    """UDAPI100067: an extended token was used for a call it does not cover (market data, profile)."""


class BadResponse(UpstoxError):
    """Upstox answered 2xx with something unparseable or of the wrong shape."""


async def upstox_error_handler(request: Request, exc: Exception) -> Response:
    """An exception handler that answers any UpstoxError an endpoint lets through as our JSON error (502/503).

    Install with `app.add_exception_handler(UpstoxError, upstox_error_handler)`.
    """
    assert isinstance(exc, UpstoxError)
    mapped = exc.to_app_error()
    return app_errors.error_response(
        request, mapped.status_code, mapped.code, mapped.message, mapped.details, mapped.headers
    )
