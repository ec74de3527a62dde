"""Broker routes under /api/v1/broker/upstox: HTTP only; the TokenService does the work (docs/broker.md).

Admins only, except the two Upstox calls back to us: the OAuth callback (public: the browser returns from
Upstox's dialog) and the notifier webhook (Upstox posts without authentication; rate-limited per address)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import RedirectResponse

from marketedge.auth.deps import PUBLIC, WEBHOOK, AdminUser, client_ip
from marketedge.auth.errors_doc import ErrorBody
from marketedge.broker.lifetimes import TokenKind
from marketedge.broker.oauth import STATE_COOKIE, STATE_LIFETIME
from marketedge.broker.renewal import TokenRenewal
from marketedge.broker.schemas import (
    BrokerStatus,
    DisconnectAnswer,
    NotifierAnswer,
    TokenPaste,
    TokenRead,
    TokenRequestAnswer,
)
from marketedge.broker.service import TokenService
from marketedge.broker.status import broker_status
from marketedge.core.clock import IST

PREFIX = "/api/v1/broker/upstox"
CALLBACK_PATH = f"{PREFIX}/callback"
#: Where the browser lands after the Upstox login: the UI's broker page, with the outcome.
PAGE = "/broker"

router = APIRouter(prefix=PREFIX, tags=["broker"])

_WORDS = {
    400: "Refused: the body or the token is not acceptable",
    401: "Not signed in",
    403: "Not an admin (or the CSRF token is missing), or not our Upstox app",
    409: "Not possible now: the Upstox app is not configured, or no token request is open",
    422: "Malformed request",
    429: "Too many requests: see Retry-After",
    502: "Upstox answered with an error",
    503: "Upstox could not be reached; nothing was changed",
}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody, "description": _WORDS[code]} for code in statuses}


def token_service(request: Request) -> TokenService:
    service: TokenService = request.app.state.runtime.tokens
    return service


def token_renewal(request: Request) -> TokenRenewal:
    renewal: TokenRenewal = request.app.state.runtime.renewal
    return renewal


Tokens = Annotated[TokenService, Depends(token_service)]
Renewal = Annotated[TokenRenewal, Depends(token_renewal)]


def _callback_url(request: Request) -> str:
    return str(request.url_for("upstox_callback"))


@router.get(
    "/status",
    summary="The Upstox connection: token kind, user, validity, renewal, recent events (never the token)",
    responses=_errors(401, 403, 429),
)
async def get_status(admin: AdminUser, tokens: Tokens, renewal: Renewal, request: Request) -> BrokerStatus:
    return await broker_status(tokens, renewal, _callback_url(request))


@router.get(
    "/connect",
    summary="Start the Upstox login: 302 to Upstox's authorization dialog (navigate the browser here)",
    status_code=status.HTTP_302_FOUND,
    response_class=RedirectResponse,
    responses={302: {"description": "To Upstox's login dialog"}, **_errors(401, 403, 409, 429)},
)
async def connect(admin: AdminUser, tokens: Tokens, request: Request) -> RedirectResponse:
    url, nonce = tokens.start_oauth(admin.email, _callback_url(request))
    answer = RedirectResponse(url, status_code=status.HTTP_302_FOUND)
    # Binds the login to this browser: the callback needs it back with the state's nonce.
    answer.set_cookie(
        STATE_COOKIE,
        nonce,
        max_age=int(STATE_LIFETIME.total_seconds()),
        path=CALLBACK_PATH,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    return answer


@router.get(
    "/callback",
    name="upstox_callback",
    summary="Upstox's OAuth redirect: exchanges the code, validates and stores the token, 302 to /broker",
    status_code=status.HTTP_302_FOUND,
    response_class=RedirectResponse,
    dependencies=[PUBLIC],
    responses={302: {"description": "To /broker?result=connected (or the failure: see docs/broker.md)"}},
)
async def callback(
    tokens: Tokens,
    request: Request,
    code: Annotated[str | None, Query(max_length=512)] = None,
    state: Annotated[str | None, Query(max_length=2048)] = None,
    error: Annotated[str | None, Query(max_length=256)] = None,
) -> RedirectResponse:
    result = await tokens.complete_oauth(
        code=code,
        state=state,
        browser_nonce=request.cookies.get(STATE_COOKIE),
        error=error,
        ip=client_ip(request),
    )
    ui = request.app.state.settings.ui_origin or ""  # the UI on another origin: back there
    answer = RedirectResponse(f"{ui}{PAGE}?result={result}", status_code=status.HTTP_302_FOUND)
    answer.delete_cookie(STATE_COOKIE, path=CALLBACK_PATH)
    return answer


@router.post(
    "/request",
    summary="Send the v3 token request: the account holder approves on their phone; the token arrives at "
    "the notifier",
    status_code=status.HTTP_202_ACCEPTED,
    responses=_errors(401, 403, 409, 429, 502, 503),
)
async def request_token(admin: AdminUser, tokens: Tokens, request: Request) -> TokenRequestAnswer:
    return await tokens.request_token("manual", admin.email, ip=client_ip(request))


@router.post(
    "/token",
    summary="Store a pasted token (access or analytics) after Upstox has validated it",
    responses=_errors(400, 401, 403, 422, 429, 503),
)
async def paste_token(admin: AdminUser, body: TokenPaste, tokens: Tokens, request: Request) -> TokenRead:
    valid_until = datetime.combine(body.valid_until, time(0), tzinfo=IST) if body.valid_until else None
    return await tokens.paste(
        body.token.get_secret_value(),
        TokenKind(body.kind),
        admin.email,
        ip=client_ip(request),
        valid_until=valid_until,
    )


@router.delete(
    "",
    summary="Disconnect: log out at Upstox and delete the stored token",
    responses=_errors(401, 403, 429),
)
async def disconnect(admin: AdminUser, tokens: Tokens, request: Request) -> DisconnectAnswer:
    was_connected, logged_out = await tokens.disconnect(admin.email, ip=client_ip(request))
    return DisconnectAnswer(disconnected=was_connected, logged_out=logged_out)


_NOTIFIER_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["client_id", "access_token", "message_type"],
                    "properties": {
                        "client_id": {"type": "string"},
                        "user_id": {"type": "string"},
                        "access_token": {"type": "string"},
                        "token_type": {"type": "string"},
                        "expires_at": {"type": "string", "description": "epoch milliseconds"},
                        "issued_at": {"type": "string", "description": "epoch milliseconds"},
                        "message_type": {"type": "string", "enum": ["access_token"]},
                    },
                }
            }
        },
    }
}


@router.post(
    "/notifier",
    summary="Upstox's notifier webhook: an approved v3 token, validated with Upstox before it is stored",
    dependencies=[WEBHOOK],
    openapi_extra=_NOTIFIER_BODY,
    responses=_errors(400, 403, 409, 429, 503),
)
async def notifier(tokens: Tokens, request: Request) -> NotifierAnswer:
    # The raw body: whatever arrives is checked by the service, and nothing of it is echoed back.
    await tokens.receive_notification(await request.body(), ip=client_ip(request))
    return NotifierAnswer()
