"""Upstox's login and user paths on the twin: OAuth dialog and code exchange, v3 token request, profile, logout."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from marketedge.twin import responses as r
from marketedge.twin.auth import authorize, twin_state
from marketedge.twin.responses import UpstoxError, plain, success
from marketedge.twin.state import TwinState
from marketedge.twin.tokens import TokenKind, epoch_ms

EXCHANGES = ["NSE", "NFO", "BSE", "BFO", "CDS", "BCD", "MCX"]
PRODUCTS = ["D", "I", "CO", "MTF"]
ORDER_TYPES = ["MARKET", "LIMIT", "SL", "SL-M"]

_DIALOG = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Upstox twin: authorise {client_id}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}}
button{{font-size:1.1rem;padding:.6rem 1.6rem}}</style></head>
<body><h1>Upstox twin</h1>
<p>The app <strong>{client_id}</strong> asks to use the account of <strong>{user_name}</strong> ({user_id}).</p>
<p>This is the simulated Upstox login of Market Edge: no real account is involved.</p>
<form method="post" action="/v2/login/authorization/dialog">
<input type="hidden" name="client_id" value="{client_id}">
<input type="hidden" name="redirect_uri" value="{redirect_uri}">
<input type="hidden" name="state" value="{state}">
<button type="submit" name="decision" value="approve">Approve</button>
</form></body></html>
"""


def _check_client(state: TwinState, client_id: str | None, redirect_uri: str | None) -> str:
    config = state.config
    if not client_id or client_id != config.client_id or not redirect_uri:
        raise UpstoxError(400, r.BAD_CLIENT)
    if config.redirect_uri is not None and redirect_uri != config.redirect_uri:
        raise UpstoxError(400, r.BAD_CLIENT)
    if urlsplit(redirect_uri).scheme not in ("http", "https"):
        raise UpstoxError(400, r.BAD_CLIENT)
    return redirect_uri


async def _form(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body (parsed here, so the twin needs no multipart library)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return dict(parse_qsl(body, keep_blank_values=True))


async def dialog(request: Request) -> Response:
    state = twin_state(request)
    params = request.query_params
    if params.get("response_type", "code") != "code":
        raise UpstoxError(400, r.MISSING, "response_type", params.get("response_type"))
    redirect_uri = _check_client(state, params.get("client_id"), params.get("redirect_uri"))
    page = _DIALOG.format(
        client_id=html.escape(state.config.client_id),
        user_name=html.escape(state.config.user_name),
        user_id=html.escape(state.config.user_id),
        redirect_uri=html.escape(redirect_uri),
        state=html.escape(params.get("state", "")),
    )
    return HTMLResponse(page)


async def approve(request: Request) -> Response:
    """The dialog's Approve button: a fresh single-use code, then back to the app."""
    state = twin_state(request)
    form = await _form(request)
    redirect_uri = _check_client(state, form.get("client_id"), form.get("redirect_uri"))
    code = state.tokens.issue_code(state.config.client_id, redirect_uri, state.now())
    parts = urlsplit(redirect_uri)
    query = [*parse_qsl(parts.query, keep_blank_values=True), ("code", code.code)]
    if form.get("state"):
        query.append(("state", form["state"]))
    return RedirectResponse(urlunsplit(parts._replace(query=urlencode(query))), status_code=302)


def _user(state: TwinState) -> dict[str, Any]:
    config = state.config
    return {
        "email": config.email,
        "exchanges": EXCHANGES,
        "products": PRODUCTS,
        "broker": "UPSTOX",
        "user_id": config.user_id,
        "user_name": config.user_name,
        "order_types": ORDER_TYPES,
        "user_type": "individual",
        "poa": False,
        "ddpi": False,
        "is_active": True,
    }


async def exchange_code(request: Request) -> Response:
    """POST /v2/login/authorization/token: the flat token object (no envelope); codes work once."""
    state = twin_state(request)
    form = await _form(request)
    for name in ("code", "client_id", "client_secret", "redirect_uri", "grant_type"):
        if not form.get(name):
            raise UpstoxError(400, r.MISSING, name, None, f"{name} is required")
    if form["grant_type"] != "authorization_code":
        raise UpstoxError(
            400, r.MISSING, "grant_type", form["grant_type"], "grant_type must be authorization_code"
        )
    redirect_uri = _check_client(state, form["client_id"], form["redirect_uri"])
    if form["client_secret"] != state.config.client_secret:
        raise UpstoxError(401, r.INVALID_SECRET, "client_secret")
    now = state.now()
    code = state.tokens.redeem_code(form["code"], now)
    if code is None:
        raise UpstoxError(400, r.INVALID_AUTH_CODE, "code", form["code"])
    if code.client_id != form["client_id"] or code.redirect_uri != redirect_uri:
        raise UpstoxError(400, r.BAD_CLIENT)
    access = state.tokens.mint(TokenKind.access, state.config.user_id, now)
    extended = state.tokens.mint(TokenKind.extended, state.config.user_id, now)
    body = _user(state)
    del body["ddpi"]
    body.update(access_token=access.value, extended_token=extended.value)
    return plain(body)


async def token_request(request: Request) -> Response:
    """POST /v3/login/auth/token/request/{client_id}: pending until approved through POST /twin/v3/approve."""
    state = twin_state(request)
    client_id = request.path_params["client_id"]
    try:
        body = orjson.loads(await request.body() or b"{}")
    except orjson.JSONDecodeError:
        raise UpstoxError(400, r.MISSING, "client_secret", None, "the body must be JSON") from None
    secret = body.get("client_secret") if isinstance(body, dict) else None
    if client_id != state.config.client_id:
        raise UpstoxError(400, r.BAD_CLIENT, "client_id", client_id)
    if not secret:
        raise UpstoxError(400, r.MISSING, "client_secret", None, "client_secret is required")
    if secret != state.config.client_secret:
        raise UpstoxError(401, r.INVALID_SECRET, "client_secret")
    pending = state.tokens.request_token(client_id, state.now())
    return success(
        {
            "authorization_expiry": epoch_ms(pending.authorization_expiry),
            "notifier_url": state.config.notifier_url or "",
        }
    )


async def profile(request: Request) -> Response:
    state = twin_state(request)
    token = authorize(request)
    if token.kind is TokenKind.analytics and not state.config.analytics_profile_allowed:
        raise UpstoxError(403, r.ANALYTICS_REFUSED)
    return success(_user(state))


async def logout(request: Request) -> Response:
    state = twin_state(request)
    token = authorize(request)
    state.tokens.revoke(token.value)
    return success(True)


routes = [
    Route("/v2/login/authorization/dialog", dialog, methods=["GET"]),
    Route("/v2/login/authorization/dialog", approve, methods=["POST"]),
    Route("/v2/login/authorization/token", exchange_code, methods=["POST"]),
    Route("/v3/login/auth/token/request/{client_id}", token_request, methods=["POST"]),
    Route("/v2/user/profile", profile, methods=["GET"]),
    Route("/v2/logout", logout, methods=["DELETE"]),
]
