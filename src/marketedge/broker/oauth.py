"""The OAuth `state`: signed with SECRET_KEY (HMAC-SHA256), expiring, naming who started the login, and bound
to the browser by a nonce that is also kept in a short-lived cookie."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson

#: How long the account holder has to log in at Upstox and come back.
STATE_LIFETIME = timedelta(minutes=15)
STATE_COOKIE = "me_broker_oauth"
_PURPOSE = b"marketedge/broker-oauth-state/v1:"


class StateInvalid(Exception):
    """The state is malformed, tampered with, expired or not this browser's."""


@dataclass(frozen=True)
class OAuthState:
    nonce: str
    actor: str  # the admin who pressed Connect
    redirect_uri: str  # the exact redirect URI sent to Upstox (the code exchange must repeat it)
    expires: int  # epoch seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret_key: str, body: str) -> str:
    return _b64(hmac.new(secret_key.encode(), _PURPOSE + body.encode("ascii"), hashlib.sha256).digest())


def new_state(secret_key: str, actor: str, redirect_uri: str, now: datetime) -> tuple[str, OAuthState]:
    """(the signed state to send to Upstox, what it says)."""
    payload = OAuthState(
        nonce=secrets.token_urlsafe(16),
        actor=actor,
        redirect_uri=redirect_uri,
        expires=int((now + STATE_LIFETIME).timestamp()),
    )
    body = _b64(
        orjson.dumps(
            {"n": payload.nonce, "a": payload.actor, "r": payload.redirect_uri, "e": payload.expires}
        )
    )
    return f"{body}.{_signature(secret_key, body)}", payload


def read_state(secret_key: str, state: str | None, now: datetime) -> OAuthState:
    """What a state says, once its signature and expiry are checked; StateInvalid otherwise."""
    # Ours is ASCII: anything else is forged (and would not even encode for the signature check).
    if not state or len(state) > 2048 or not state.isascii() or state.count(".") != 1:
        raise StateInvalid("malformed")
    body, signature = state.split(".")
    if not hmac.compare_digest(_signature(secret_key, body), signature):
        raise StateInvalid("bad signature")
    try:
        data = orjson.loads(_unb64(body))
        parsed = OAuthState(nonce=data["n"], actor=data["a"], redirect_uri=data["r"], expires=int(data["e"]))
    except (ValueError, KeyError, TypeError):
        raise StateInvalid("malformed") from None
    if now.timestamp() >= parsed.expires:
        raise StateInvalid("expired")
    return parsed
