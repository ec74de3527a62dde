"""The stored token's value types and rules: what an Upstox app is, what a validation or a check found, the
cached form, and what makes a token usable. Shared by the token store and the token service."""

from __future__ import annotations

import hmac
import re
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

import orjson
import structlog

from marketedge.broker.lifetimes import (
    ACCESS_AT_MOST,
    TokenClaims,
    TokenKind,
    TokenStatus,
)
from marketedge.broker.schemas import (
    RequestState,
)
from marketedge.core.clock import IST
from marketedge.models.broker import BrokerToken, BrokerTokenRequest

log = structlog.get_logger(__name__)


class TokenEvents(Protocol):
    """What the service tells the renewal job (broker/renewal.py's TokenRenewal) of the stored token."""

    def token_rejected(self) -> None: ...
    async def token_stored(self, kind: TokenKind, expires_at: datetime) -> None: ...
    def stop_reminders(self) -> None: ...


TARGET_PREFIX = "broker."
NOTIFIER_MAX_BYTES = 16 * 1024
EVENTS_SHOWN = 20
UPSTOX_ACTOR = "upstox"  # who a notifier post claims to be

Outcome = Literal["ok", "rejected", "refused", "unreachable"]
# What can travel in an Authorization header: printable ASCII without spaces (Upstox's tokens are JWTs).
TOKEN_SHAPE = re.compile(r"[\x21-\x7e]{16,4096}")

# The token a probe call is about (a candidate, or the stored one being logged out): per task, so concurrent
# validations never see each other's token, and one pooled client serves them all.
probe_token: ContextVar[str | None] = ContextVar("broker_probe_token", default=None)


async def probe_token_provider() -> str | None:
    return probe_token.get()


def kind_problem(kind: TokenKind, claims: TokenClaims | None, now: datetime) -> str | None:
    """Why a token cannot be the kind the person said, from its own claims (None: it can)."""
    if claims is None or claims.expires_at is None:
        return None
    expires = claims.expires_at
    if expires <= now:
        return f"this token expired at {expires.astimezone(IST):%Y-%m-%d %H:%M} IST"
    lifetime = expires - (claims.issued_at or now)
    if kind is not TokenKind.analytics and lifetime > ACCESS_AT_MOST:
        return (
            f"this token is valid until {expires.astimezone(IST):%Y-%m-%d}: a daily access token is valid until "
            "03:30 IST the next day. If it is an analytics token, choose analytics"
        )
    if kind is TokenKind.analytics and lifetime <= ACCESS_AT_MOST:
        return (
            f"this token expires at {expires.astimezone(IST):%Y-%m-%d %H:%M} IST: it is a daily access token, "
            "not an analytics token (valid a year). Choose access"
        )
    return None


def validity_problem(
    kind: TokenKind, claims: TokenClaims | None, valid_until: datetime | None, now: datetime
) -> str | None:
    """An analytics token whose validity is known neither from itself nor from the person."""
    if kind is not TokenKind.analytics or (claims is not None and claims.expires_at is not None):
        return None
    if valid_until is None:
        return (
            "this token does not say when it expires: give the date until which Upstox shows it valid "
            "(valid_until)"
        )
    if valid_until <= now:
        return f"valid_until {valid_until.astimezone(IST):%Y-%m-%d} is past: the token would be dead already"
    return None


@dataclass(frozen=True)
class UpstoxApp:
    """Our registration on Upstox: what OAuth and the v3 token request need."""

    client_id: str | None = None
    client_secret: str | None = None
    redirect_uri: str | None = None  # None: the callback's own URL, derived from the request
    notifier_url: str | None = None  # shown to the admin; Upstox itself uses the URL on the app form

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def __repr__(self) -> str:
        return f"UpstoxApp(client_id={self.client_id!r}, client_secret=***)"


@dataclass(frozen=True)
class Validation:
    """What a real Upstox call said about a token."""

    outcome: Outcome
    kind: TokenKind | None = None
    user_id: str | None = None
    user_name: str | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass(frozen=True)
class Check:
    """The stored token after the renewal job's validation."""

    status: TokenStatus
    kind: TokenKind
    expires_at: datetime
    outcome: Outcome | Literal["unreadable", "expired"]

    @property
    def usable(self) -> bool:
        """Valid as far as we know: Upstox said so, or could not say otherwise (unreachable, a 4xx that is
        not a 401)."""
        return self.status is TokenStatus.valid and self.outcome in ("ok", "unreachable", "refused")


@dataclass(frozen=True)
class CachedToken:
    ciphertext: str
    fingerprint: str
    expires_at: float  # epoch seconds (on the app's clock)
    until: float  # the 24-hour bound, epoch seconds

    def dump(self) -> bytes:
        return orjson.dumps(
            {"ct": self.ciphertext, "fp": self.fingerprint, "exp": self.expires_at, "until": self.until}
        )

    @classmethod
    def load(cls, raw: bytes) -> CachedToken | None:
        try:
            data = orjson.loads(raw)
            return cls(str(data["ct"]), str(data["fp"]), float(data["exp"]), float(data["until"]))
        except (ValueError, KeyError, TypeError):
            return None


def same_text(given: str, expected: str) -> bool:
    """A constant-time comparison of text from outside (compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(given.encode(), expected.encode())


def in_ist(when: datetime | None) -> datetime | None:
    return when.astimezone(IST) if when is not None else None


def effective_status(row: BrokerToken, now: datetime) -> TokenStatus:
    status = TokenStatus(row.status)
    if status is TokenStatus.valid and now >= row.expires_at:
        return TokenStatus.expired
    return status


def request_state(row: BrokerTokenRequest, now: datetime) -> RequestState:
    if row.state == "pending" and now >= row.authorization_expiry:
        return "lapsed"
    return row.state  # type: ignore[return-value]
