"""Bearer tokens on Upstox paths: unknown, revoked or expired → 401 UDAPI100050; extended tokens refused."""

from __future__ import annotations

from starlette.requests import Request

from marketedge.twin import responses as r
from marketedge.twin.responses import UpstoxError
from marketedge.twin.state import TwinState
from marketedge.twin.tokens import Token, TokenKind


def twin_state(request: Request) -> TwinState:
    state: TwinState = request.app.state.twin
    return state


def bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


def authorize(request: Request) -> Token:
    """The live token this request carries. Extended tokens cover orders and portfolio only, none of which the
    twin serves, so every twin path refuses them with UDAPI100067."""
    state = twin_state(request)
    value = bearer(request)
    token = state.tokens.get(value) if value else None
    if token is None or not token.alive(state.now()):
        raise UpstoxError(401, r.INVALID_TOKEN)
    if token.kind is TokenKind.extended:
        raise UpstoxError(401, r.EXTENDED_TOKEN)
    return token
