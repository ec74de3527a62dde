"""How long an Upstox token lives (docs/upstox-api.md §1): access tokens die at 03:30 IST, analytics
tokens after a year. There is no refresh token."""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from marketedge.core.clock import IST

ACCESS_TOKEN_DEATH = time(3, 30)
ANALYTICS_LIFETIME = timedelta(days=365)
#: The cache keeps a token at most this long, whatever its expiry; then the database is read again.
CACHE_AT_MOST = timedelta(hours=24)


class TokenKind(StrEnum):
    access = "access"  # OAuth (the Connect button) or pasted
    v3 = "v3"  # an access token delivered by the v3 token request's notifier
    analytics = "analytics"  # read-only, one year, generated on the Upstox developer page


class TokenSource(StrEnum):
    oauth = "oauth"
    notifier = "notifier"
    paste = "paste"
    cli = "cli"
    bootstrap = "bootstrap"  # UPSTOX_ACCESS_TOKEN, stored on start
    demo = "demo"  # minted by the built-in twin


class TokenStatus(StrEnum):
    valid = "valid"
    expired = "expired"
    rejected = "rejected"


def access_token_expiry(issued_at: datetime) -> datetime:
    """The first 03:30 IST after `issued_at`: one made at 02:30 dies at 03:30 that day, one made at 09:00 at
    03:30 the next day.

    >>> from marketedge.core.clock import ist
    >>> access_token_expiry(ist(2026, 11, 25, 9, 0)).isoformat()
    '2026-11-26T03:30:00+05:30'
    >>> access_token_expiry(ist(2026, 11, 25, 2, 30)).isoformat()
    '2026-11-25T03:30:00+05:30'
    """
    local = issued_at.astimezone(IST)
    death = datetime.combine(local.date(), ACCESS_TOKEN_DEATH, tzinfo=IST)
    return death if local < death else death + timedelta(days=1)


def expiry_for(kind: TokenKind, issued_at: datetime) -> datetime:
    if kind is TokenKind.analytics:
        return issued_at + ANALYTICS_LIFETIME
    return access_token_expiry(issued_at)


#: An access token lives at most a day (until 03:30 IST); anything claiming longer is not one.
ACCESS_AT_MOST = timedelta(hours=25)


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What an Upstox token says of itself: it is a JWT whose payload carries `iat` and `exp` (epoch seconds)."""

    issued_at: datetime | None
    expires_at: datetime | None


def token_claims(token: str) -> TokenClaims | None:
    """The token's own issue and expiry times, or None when it carries none we can read. The signature is not
    checked (only Upstox can): these times only ever shorten what we believe, and Upstox validates the token."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        return None
    if not isinstance(payload, dict):
        return None
    claims = TokenClaims(_epoch(payload.get("iat")), _epoch(payload.get("exp")))
    return claims if claims.issued_at or claims.expires_at else None


def _epoch(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    if not 946_684_800 <= value <= 4_102_444_800:  # 2000 to 2100: anything else is not a time of ours
        return None
    return datetime.fromtimestamp(value, IST)
