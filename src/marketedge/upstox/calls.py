"""A call to Upstox as the client makes it: its target, when it is retried and after how long, and the text
of its errors with secrets scrubbed out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import ValidationError
from tenacity import (
    RetryCallState,
    wait_exponential,
    wait_random,
)
from tenacity.wait import wait_base

from marketedge.core import clock
from marketedge.upstox.errors import (
    EXTENDED_TOKEN_NOT_ALLOWED,
    INVALID_TOKEN,
    OUTSIDE_SERVICE_HOURS,
    TOO_MANY_REQUESTS,
    BadRequest,
    BadResponse,
    ExtendedTokenNotAllowed,
    RateLimited,
    ServiceClosed,
    TokenInvalid,
    UpstoxError,
    UpstreamUnavailable,
)
from marketedge.upstox.limits import Lane
from marketedge.upstox.parsing import json_or
from marketedge.upstox.schemas import (
    ErrorDetail,
)


class ConstantToken:
    """A token provider that always answers the same token; its repr never shows it."""

    __slots__ = ("_token",)

    def __init__(self, token: str | None) -> None:
        self._token = token

    async def __call__(self) -> str | None:
        return self._token

    def __repr__(self) -> str:
        return "ConstantToken(***)" if self._token else "ConstantToken(None)"


def constant_token(token: str | None) -> ConstantToken:
    """The provider to use until the token service plugs in: `UpstoxClient(url, constant_token(t))`."""
    return ConstantToken(token)


def encode_key(instrument_key: str) -> str:
    """An instrument key as one URL component: `NSE_INDEX|Nifty 50` → `NSE_INDEX%7CNifty%2050`."""
    return quote(instrument_key, safe="")


def query_string(**params: str | None) -> str:
    # Built by hand so that the pipe and spaces become %7C and %20 (httpx's form encoding gives '+'),
    # and the commas between several keys stay commas, as Upstox's own examples show.
    return "&".join(f"{name}={value}" for name, value in params.items() if value is not None)


@dataclass(frozen=True, slots=True)
class Call:
    """One request to Upstox. Secrets travel only in headers and bodies, never in `target`."""

    endpoint: str  # a stable name: logs, limiter key, errors
    method: str
    path: str
    query: str = ""
    auth: bool = True
    token_optional: bool = False  # sent when there is one (the calendar: Upstox's SDK sends none)
    lane: Lane = Lane.live  # the limiter's lane: the live minute, or the catch-up
    idempotent: bool = True
    envelope: bool = True
    json: Any = field(default=None, repr=False)
    form: dict[str, str] | None = field(default=None, repr=False)
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


class Backoff(wait_base):
    """Exponential back-off with jitter; a 429 waits for Retry-After when Upstox gives one."""

    def __init__(self, initial: float, maximum: float) -> None:
        # initial × 2^(attempt−1), capped, plus up to `initial` of jitter so that callers spread out.
        self._upstream = wait_exponential(multiplier=initial, max=maximum) + wait_random(0, initial)
        self._limited = wait_exponential(multiplier=2 * initial, max=maximum) + wait_random(0, initial)

    def __call__(self, retry_state: RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(error, RateLimited):
            if error.retry_after is not None:
                return max(0.0, error.retry_after)
            return self._limited(retry_state)
        return self._upstream(retry_state)


def should_retry(call: Call, error: BaseException) -> bool:
    if not isinstance(error, UpstoxError) or not error.retryable:
        return False
    if call.idempotent or isinstance(error, RateLimited):
        return True
    # A code exchange or a v3 token request that reached Upstox must not be repeated: the code is single-use
    # and each token request pings the user's phone.
    return isinstance(error, UpstreamUnavailable) and not error.request_sent


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - clock.utcnow()).total_seconds())


def scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def shape_problem(error: ValidationError) -> str:
    """Where the shape was wrong, without echoing values (a token response holds tokens)."""
    problems = error.errors(include_input=False, include_url=False)
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in problems[:3]]
    more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
    return "; ".join(parts) + more


def chunks(keys: Sequence[str], size: int) -> list[list[str]]:
    unique = list(dict.fromkeys(keys))
    return [unique[i : i + size] for i in range(0, len(unique), size)]


def error_for(call: Call, response: httpx.Response, secrets: Sequence[str], body: Any = None) -> UpstoxError:
    """The error a non-2xx answer (or a 2xx envelope with errors) stands for, in our taxonomy."""
    status = response.status_code
    if body is None:
        body = json_or(response, None)
    detail = ErrorDetail()
    if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
        first = body["errors"][0]
        if isinstance(first, dict):
            try:
                detail = ErrorDetail.model_validate(first)
            except ValidationError:
                detail = ErrorDetail()
    code = detail.error_code
    message = scrub(str(detail.message or response.reason_phrase or f"HTTP {status}"), secrets)
    where: dict[str, Any] = {
        "status": status,
        "error_code": code,
        "path": call.target,
        "endpoint": call.endpoint,
    }
    if code == EXTENDED_TOKEN_NOT_ALLOWED:
        return ExtendedTokenNotAllowed(message, **where)
    if call.auth and (status == 401 or code == INVALID_TOKEN):
        return TokenInvalid(message, **where)
    if status == 429 or code == TOO_MANY_REQUESTS:
        return RateLimited(
            message, retry_after=retry_after_seconds(response.headers.get("Retry-After")), **where
        )
    if code == OUTSIDE_SERVICE_HOURS:
        return ServiceClosed(message, **where)
    if status >= 500 or status == 423:
        return UpstreamUnavailable(message, **where)
    if 400 <= status < 500:
        return BadRequest(message, **where)
    return BadResponse(f"unexpected HTTP {status}: {message}", **where)
