"""The twin's control API under /twin/: mint tokens, approve v3 requests, fault switches, the clock, config, reset.

Plain JSON in and out (no Upstox envelope); errors are `{"error": "..."}` with 400, 404 or 409. Never mounted
in production: it exists for tests, the demo and the SDK proofs.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from marketedge.chain.calendar import CalendarDay, DayKind, Source
from marketedge.core.clock import IST
from marketedge.twin.auth import twin_state
from marketedge.twin.config import TwinConfig
from marketedge.twin.faults import Fault, FaultError
from marketedge.twin.responses import plain
from marketedge.twin.state import TwinState
from marketedge.twin.tokens import Delivery, TokenKind

TOKEN_ACTIONS = ("expire_tokens", "revoke_tokens")


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> Response:
        return plain({"error": self.message}, self.status)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ControlError(400, "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


async def health(request: Request) -> Response:
    return plain({"ok": True})


async def mint(request: Request) -> Response:
    """POST /twin/tokens {"kind": "access" | "analytics" | "extended"} → {"access_token", "kind", "expires_at"}."""
    state = twin_state(request)
    body = await _body(request)
    kind = body.get("kind", "access")
    if kind not in TokenKind.__members__:
        raise ControlError(400, "kind must be access, analytics or extended")
    token = state.tokens.mint(TokenKind(kind), state.config.user_id, state.now())
    return plain({"access_token": token.value, "kind": kind, "expires_at": token.expires_at.isoformat()})


async def revoke(request: Request) -> Response:
    """POST /twin/tokens/revoke {"access_token"?} → {"revoked": n}: one token, or all of them."""
    state = twin_state(request)
    body = await _body(request)
    return plain({"revoked": state.tokens.revoke(body.get("access_token"))})


async def expire(request: Request) -> Response:
    """POST /twin/tokens/expire → {"expired": n}: every token dies now (as at 03:30)."""
    state = twin_state(request)
    return plain({"expired": state.tokens.expire_all(state.now())})


def _delivery(delivery: Delivery) -> dict[str, Any]:
    return {
        "url": delivery.url,
        "access_token": delivery.payload["access_token"],
        "done": delivery.done.is_set(),
        "status": delivery.status,
        "error": delivery.error,
    }


async def token_requests(request: Request) -> Response:
    """GET /twin/v3/requests → the pending v3 token requests and the deliveries made so far."""
    state = twin_state(request)
    pending = [
        {
            "client_id": p.client_id,
            "requested_at": p.requested_at.isoformat(),
            "authorization_expiry": p.authorization_expiry.isoformat(),
        }
        for p in state.tokens.requests
    ]
    return plain({"pending": pending, "deliveries": [_delivery(d) for d in state.tokens.deliveries]})


async def approve(request: Request) -> Response:
    """POST /twin/v3/approve {"wait"?: false, "timeout"?: 10} → approve every pending request; the token goes to
    the notifier URL in the background (with wait, the answer reports the notifier's status)."""
    state = twin_state(request)
    body = await _body(request)
    deliveries = state.approve()
    if not deliveries:
        raise ControlError(
            409, "no pending v3 token request (POST /v3/login/auth/token/request/{client_id} first)"
        )
    if body.get("wait"):
        timeout = float(body.get("timeout", 10.0))
        for delivery in deliveries:
            await asyncio.to_thread(delivery.done.wait, timeout)
    return plain({"approved": len(deliveries), "deliveries": [_delivery(d) for d in deliveries]})


def _faults_answer(state: TwinState, applied: list[str] | None = None) -> Response:
    answer: dict[str, Any] = {"faults": [f.to_json() for f in state.faults.active()]}
    if applied is not None:
        answer["applied"] = applied
    return plain(answer)


def _parse_faults(state: TwinState, raw: Any) -> tuple[list[Fault], list[str]]:
    """Fault rules, plus the token actions (expire_tokens, revoke_tokens) applied at once."""
    if not isinstance(raw, list):
        raise ControlError(400, 'expected {"faults": [{"kind": ...}, ...]}')
    faults, actions = [], []
    for item in raw:
        kind = item.get("kind") if isinstance(item, dict) else None
        if kind in TOKEN_ACTIONS:
            actions.append(kind)
            continue
        try:
            faults.append(Fault.from_json(item))
        except (FaultError, TypeError) as exc:
            raise ControlError(400, str(exc)) from None
    return faults, actions


def _apply_actions(state: TwinState, actions: list[str]) -> None:
    for action in actions:
        if action == "expire_tokens":
            state.tokens.expire_all(state.now())
        else:
            state.tokens.revoke()


async def get_faults(request: Request) -> Response:
    return _faults_answer(twin_state(request))


async def put_faults(request: Request) -> Response:
    """PUT /twin/faults {"faults": [...]} replaces the active rules (token actions apply at once)."""
    state = twin_state(request)
    body = await _body(request)
    faults, actions = _parse_faults(state, body.get("faults", []))
    state.faults.set(faults)
    _apply_actions(state, actions)
    return _faults_answer(state, actions)


async def post_fault(request: Request) -> Response:
    """POST /twin/faults {"kind": ...} adds one rule (or applies one token action)."""
    state = twin_state(request)
    body = await _body(request)
    faults, actions = _parse_faults(state, [body])
    for fault in faults:
        state.faults.add(fault)
    _apply_actions(state, actions)
    return _faults_answer(state, actions)


async def delete_faults(request: Request) -> Response:
    state = twin_state(request)
    state.faults.clear()
    return _faults_answer(state)


def _clock_answer(state: TwinState) -> Response:
    now = state.now()
    minute = state.market.minute_at(now)
    return plain(
        {
            "now": now.isoformat(),
            "frozen": state.clock.frozen,
            "market_open": state.market.calendar.is_open(now),
            "market_minute": minute.at.isoformat() if minute else None,
        }
    )


async def get_clock(request: Request) -> Response:
    return _clock_answer(twin_state(request))


def parse_instant(text: Any) -> datetime:
    """An ISO-8601 instant; a naive one is read as IST."""
    if not isinstance(text, str):
        raise ControlError(400, "at must be an ISO-8601 datetime such as 2026-11-25T10:30:00+05:30")
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ControlError(400, "at must be an ISO-8601 datetime such as 2026-11-25T10:30:00+05:30") from None
    return at if at.tzinfo else at.replace(tzinfo=IST)


async def put_clock(request: Request) -> Response:
    """PUT /twin/clock {"at": iso, "speed"?: x} | {"advance_seconds": n} | {"follow": true} (back to the start clock)."""
    state = twin_state(request)
    body = await _body(request)
    if body.get("follow"):
        state.clock.reset()
    elif "at" in body:
        speed = body.get("speed")
        if speed is not None and (not isinstance(speed, int | float) or speed <= 0):
            raise ControlError(400, "speed must be a positive number")
        state.set_clock(parse_instant(body["at"]), float(speed) if speed is not None else None)
    elif "advance_seconds" in body:
        seconds = body["advance_seconds"]
        if not isinstance(seconds, int | float):
            raise ControlError(400, "advance_seconds must be a number")
        state.advance_clock(float(seconds))
    else:
        raise ControlError(400, 'expected {"at": iso}, {"advance_seconds": n} or {"follow": true}')
    return _clock_answer(state)


async def get_config(request: Request) -> Response:
    return plain(twin_state(request).config.public())


async def put_config(request: Request) -> Response:
    """PUT /twin/config {field: value, ...}: change some TwinConfig fields (see GET for the names)."""
    state = twin_state(request)
    body = await _body(request)
    unknown = set(body) - TwinConfig.settable()
    if unknown:
        raise ControlError(400, f"unknown config fields: {sorted(unknown)}")
    try:
        state.configure(**body)
    except (TypeError, ValueError) as exc:
        raise ControlError(400, str(exc)) from None
    return plain(state.config.public())


def _calendar_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ControlError(400, "the date must be YYYY-MM-DD") from None


def _wall_time(body: dict[str, Any], name: str) -> time | None:
    value = body.get(name)
    if value is None:
        return None
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ControlError(400, f"{name} must be HH:MM") from None


async def put_calendar_day(request: Request) -> Response:
    """PUT /twin/calendar/{date} {"kind": "holiday" | "session" | "settlement", "description"?, "open"?, "close"?}:
    what the exchange says of that date from now on (its holiday list, timings and market follow)."""
    state = twin_state(request)
    day = _calendar_day(request.path_params["date"])
    body = await _body(request)
    kind = str(body.get("kind"))
    if kind not in DayKind.__members__:
        raise ControlError(400, "kind must be holiday, session or settlement")
    try:
        entry = CalendarDay(
            day,
            DayKind(kind),
            str(body.get("description") or ""),
            _wall_time(body, "open"),
            _wall_time(body, "close"),
            Source.upstox,
        )
    except ValueError as exc:
        raise ControlError(400, str(exc)) from None
    state.configure(calendar=state.config.calendar.with_day(day, entry))
    return plain(
        {
            "date": day.isoformat(),
            "kind": entry.kind.value,
            "trading": state.market.calendar.is_trading_day(day),
        }
    )


async def delete_calendar_day(request: Request) -> Response:
    """DELETE /twin/calendar/{date}: the date goes back to an ordinary weekday or weekend."""
    state = twin_state(request)
    day = _calendar_day(request.path_params["date"])
    state.configure(calendar=state.config.calendar.with_day(day, None))
    return plain({"date": day.isoformat(), "trading": state.market.calendar.is_trading_day(day)})


async def reset(request: Request) -> Response:
    twin_state(request).reset()
    return plain({"reset": True})


routes = [
    Route("/twin/health", health, methods=["GET"]),
    Route("/twin/tokens", mint, methods=["POST"]),
    Route("/twin/tokens/revoke", revoke, methods=["POST"]),
    Route("/twin/tokens/expire", expire, methods=["POST"]),
    Route("/twin/v3/requests", token_requests, methods=["GET"]),
    Route("/twin/v3/approve", approve, methods=["POST"]),
    Route("/twin/faults", get_faults, methods=["GET"]),
    Route("/twin/faults", put_faults, methods=["PUT"]),
    Route("/twin/faults", post_fault, methods=["POST"]),
    Route("/twin/faults", delete_faults, methods=["DELETE"]),
    Route("/twin/clock", get_clock, methods=["GET"]),
    Route("/twin/clock", put_clock, methods=["PUT"]),
    Route("/twin/config", get_config, methods=["GET"]),
    Route("/twin/config", put_config, methods=["PUT"]),
    Route("/twin/calendar/{date}", put_calendar_day, methods=["PUT"]),
    Route("/twin/calendar/{date}", delete_calendar_day, methods=["DELETE"]),
    Route("/twin/reset", reset, methods=["POST"]),
]
