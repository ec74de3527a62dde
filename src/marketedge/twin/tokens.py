"""Tokens, authorisation codes and v3 token requests, with Upstox's lifetimes on the twin's clock.

An access token dies at 03:30 IST after it was made (the same day when made before 03:30, else the next
day); analytics and extended tokens live a year. Tokens are JWTs, as Upstox's are: their claims carry the user,
the issue time and the expiry. Everything is thread-safe: the server thread answers
requests while a test thread may mint or revoke through `TwinState`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum

from marketedge.core.clock import IST

TOKEN_DEATH = time(3, 30)
LONG_LIVED = timedelta(days=365)
CODE_LIFETIME = timedelta(minutes=10)


class TokenKind(StrEnum):
    access = "access"
    analytics = "analytics"
    extended = "extended"


def access_token_expiry(issued_at: datetime) -> datetime:
    """03:30 IST after `issued_at`: one made at 02:30 dies at 03:30 the same day, one made at 09:00 the next day."""
    local = issued_at.astimezone(IST)
    death = datetime.combine(local.date(), TOKEN_DEATH, tzinfo=IST)
    return death if local < death else death + timedelta(days=1)


def expiry_for(kind: TokenKind, issued_at: datetime) -> datetime:
    return access_token_expiry(issued_at) if kind is TokenKind.access else issued_at + LONG_LIVED


def _b64(part: Mapping[str, object]) -> str:
    raw = json.dumps(part, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def epoch_ms(when: datetime) -> str:
    """Upstox's epoch-millisecond strings."""
    return str(int(when.timestamp() * 1000))


@dataclass
class Token:
    value: str
    kind: TokenKind
    user_id: str
    issued_at: datetime
    expires_at: datetime
    revoked: bool = False

    def alive(self, now: datetime) -> bool:
        return not self.revoked and now < self.expires_at


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    issued_at: datetime


@dataclass
class TokenRequest:
    """A v3 token request waiting for the user's approval."""

    client_id: str
    requested_at: datetime
    authorization_expiry: datetime


@dataclass
class Delivery:
    """One attempt to POST an approved token to the notifier URL."""

    url: str
    payload: dict[str, str]
    status: int | None = None
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)


class TokenStore:
    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)  # signs the twin's tokens (Upstox's are JWTs signed by Upstox)
        self._lock = threading.Lock()
        self._tokens: dict[str, Token] = {}
        self._codes: dict[str, AuthCode] = {}
        self.requests: list[TokenRequest] = []
        self.deliveries: list[Delivery] = []

    def mint(self, kind: TokenKind, user_id: str, now: datetime, *, opaque: bool = False) -> Token:
        """A new token; `opaque` makes one that says nothing of itself (not a JWT), for tests of that case."""
        expires = expiry_for(kind, now)
        value = secrets.token_urlsafe(32) if opaque else self._jwt(user_id, now, expires)
        token = Token(value, kind, user_id, now, expires)
        with self._lock:
            if kind is TokenKind.analytics:
                # Generating a new analytics token revokes the old one.
                for old in self._tokens.values():
                    if old.kind is TokenKind.analytics and old.user_id == user_id:
                        old.revoked = True
            self._tokens[token.value] = token
        return token

    def _jwt(self, user_id: str, issued: datetime, expires: datetime) -> str:
        """A token shaped as Upstox's are: a JWT whose claims say who, when it was made and when it dies."""
        header = {"alg": "HS256", "typ": "JWT"}
        claims = {
            "sub": user_id,
            "jti": secrets.token_hex(12),
            "isMultiClient": False,
            "iat": int(issued.timestamp()),
            "iss": "udapi-gateway-service",
            "exp": int(expires.timestamp()),
        }
        signing = f"{_b64(header)}.{_b64(claims)}"
        signature = hmac.new(self._secret, signing.encode("ascii"), hashlib.sha256).digest()
        return f"{signing}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode('ascii')}"

    def get(self, value: str) -> Token | None:
        with self._lock:
            return self._tokens.get(value)

    def revoke(self, value: str | None = None) -> int:
        """Revoke one token, or every token when `value` is None; returns how many were alive to revoke."""
        with self._lock:
            targets = (
                list(self._tokens.values()) if value is None else [t for t in [self._tokens.get(value)] if t]
            )
            count = 0
            for token in targets:
                count += not token.revoked
                token.revoked = True
            return count

    def expire_all(self, now: datetime) -> int:
        with self._lock:
            count = 0
            for token in self._tokens.values():
                if token.expires_at > now:
                    token.expires_at = now
                    count += 1
            return count

    def issue_code(self, client_id: str, redirect_uri: str, now: datetime) -> AuthCode:
        code = AuthCode(secrets.token_urlsafe(6), client_id, redirect_uri, now)
        with self._lock:
            self._codes[code.code] = code
        return code

    def redeem_code(self, code: str, now: datetime) -> AuthCode | None:
        """The code's record if it exists and is fresh; either way it can never be used again."""
        with self._lock:
            found = self._codes.pop(code, None)
        if found is None or now - found.issued_at > CODE_LIFETIME:
            return None
        return found

    def request_token(self, client_id: str, now: datetime) -> TokenRequest:
        request = TokenRequest(client_id, now, access_token_expiry(now))
        with self._lock:
            self.requests.append(request)
        return request

    def take_requests(self, now: datetime) -> list[TokenRequest]:
        """The pending requests that have not lapsed (they are no longer pending afterwards)."""
        with self._lock:
            pending, self.requests = self.requests, []
        return [r for r in pending if now < r.authorization_expiry]

    def count(self) -> int:
        with self._lock:
            return len(self._tokens)

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()
            self._codes.clear()
            self.requests.clear()
            self.deliveries.clear()
