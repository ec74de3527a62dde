"""Upstox's market-data paths on the twin: status, holidays, timings, option contracts and chain, quotes v3, candles v3.

Holidays, timings and candles need no token, as in the official SDK (which sends none for them); every other
path needs a live bearer token.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from marketedge.twin import responses as r
from marketedge.twin.auth import authorize, twin_state
from marketedge.twin.candles import MAX_INTERVAL, UNITS, MinuteBars, candles, max_span_days
from marketedge.twin.faults import strip_fields
from marketedge.twin.instruments import BY_KEY, Contract, Underlying, decode_contract_key
from marketedge.twin.payloads import EQUITY_EXCHANGES, holiday_entry, market_status, timings
from marketedge.twin.responses import UpstoxError, success
from marketedge.twin.spot import OutOfRange
from marketedge.twin.state import TwinState

MAX_GREEK_KEYS = 50
MAX_LTP_KEYS = 500
DEFAULT_SPAN_DAYS = {"minutes": 30, "hours": 30, "days": 365, "weeks": 3650, "months": 3650}


def _date(text: str | None, name: str) -> date:
    if not text:
        raise UpstoxError(400, r.MISSING, name, None, f"{name} is required")
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise UpstoxError(400, r.INVALID_DATE, name, text) from None


def _underlying(key: str | None) -> Underlying:
    if not key:
        raise UpstoxError(400, r.MISSING, "instrument_key", None, "instrument_key is required")
    u = BY_KEY.get(key)
    if u is None:
        raise UpstoxError(400, r.INVALID_KEY, "instrument_key", key)
    return u


def _keys(request: Request, limit: int) -> list[str]:
    raw = request.query_params.get("instrument_key", "")
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    if not keys:
        raise UpstoxError(400, r.MISSING, "instrument_key", None, "instrument_key is required")
    if len(keys) > limit:
        raise UpstoxError(
            400, r.TOO_MANY_KEYS, "instrument_key", len(keys), f"At most {limit} instrument keys"
        )
    for key in keys:
        segment, sep, rest = key.partition("|")
        if not sep or not segment or not rest:
            raise UpstoxError(400, r.INVALID_KEY, "instrument_key", key)
    return keys


async def status(request: Request) -> Response:
    state = twin_state(request)
    authorize(request)
    exchange = request.path_params["exchange"].upper()
    if exchange not in EQUITY_EXCHANGES:
        raise UpstoxError(400, r.INVALID_EXCHANGE, "exchange", request.path_params["exchange"])
    return success(market_status(state.market.calendar, exchange, state.now()))


async def holidays(request: Request) -> Response:
    state = twin_state(request)
    return success(state.payloads.holidays(state.now().year))


async def holiday(request: Request) -> Response:
    state = twin_state(request)
    day = _date(request.path_params["date"], "date")
    entry = holiday_entry(state.market.calendar, day)
    return success([entry] if entry else [])


async def exchange_timings(request: Request) -> Response:
    state = twin_state(request)
    day = _date(request.path_params["date"], "date")
    return success(timings(state.market.calendar.session(day)))


async def option_contracts(request: Request) -> Response:
    state = twin_state(request)
    authorize(request)
    u = _underlying(request.query_params.get("instrument_key"))
    expiry_text = request.query_params.get("expiry_date")
    expiry = _date(expiry_text, "expiry_date") if expiry_text is not None else None
    now = state.now()
    minute = state.market.minute_at(now)
    if minute is None:
        return success([])
    rows = state.payloads.contracts(u, now.date(), minute.session.day)
    if expiry is not None:
        wanted = expiry.isoformat()
        rows = [row for row in rows if row["expiry"] == wanted]
    return success(rows)


async def option_chain(request: Request) -> Response:
    state = twin_state(request)
    authorize(request)
    u = _underlying(request.query_params.get("instrument_key"))
    expiry = _date(request.query_params.get("expiry_date"), "expiry_date")
    now = state.now()
    minute = state.market.minute_at(now)
    rows: list[dict[str, Any]] = []
    if minute is not None and expiry in state.market.listed_expiries(u, now.date()):
        rows = state.payloads.chain(u, expiry, minute)
    path = request.url.path
    if state.faults.take(("empty_chain",), path):
        rows = []
    missing = state.faults.take(("missing_fields",), path)
    if missing is not None:
        rows = strip_fields(rows, missing)
    return success(rows)


def _tradable(state: TwinState, key: str) -> Contract | None:
    contract = decode_contract_key(key)
    if contract is None or not state.market.is_tradable(contract, state.now().date()):
        return None
    return contract


async def option_greeks(request: Request) -> Response:
    """Option greeks v3: a map keyed `NSE_FO:TRADINGSYMBOL`, IV as a fraction; unknown keys are left out."""
    state = twin_state(request)
    authorize(request)
    keys = _keys(request, MAX_GREEK_KEYS)
    minute = state.market.minute_at(state.now())
    data: dict[str, Any] = {}
    for key in keys:
        contract = _tradable(state, key)
        if contract is not None and minute is not None:
            data[state.payloads.symbol(contract)] = state.payloads.contract_quote(contract, minute, True)
    return success(data)


async def ltp(request: Request) -> Response:
    """LTP v3 for indices and contracts: a map keyed `NSE_INDEX:Nifty 50` / `NSE_FO:TRADINGSYMBOL`."""
    state = twin_state(request)
    authorize(request)
    keys = _keys(request, MAX_LTP_KEYS)
    minute = state.market.minute_at(state.now())
    data: dict[str, Any] = {}
    if minute is None:
        return success(data)
    for key in keys:
        u = BY_KEY.get(key)
        if u is not None:
            data[f"{key.split('|', 1)[0]}:{u.quote_name}"] = state.payloads.index_quote(u, minute)
            continue
        contract = _tradable(state, key)
        if contract is not None:
            data[state.payloads.symbol(contract)] = state.payloads.contract_quote(contract, minute, False)
    return success(data)


def _instrument(state: TwinState, key: str) -> Underlying | Contract:
    u = BY_KEY.get(key)
    if u is not None:
        return u
    contract = decode_contract_key(key)
    if contract is None or not state.market.existed(contract):
        raise UpstoxError(400, r.INVALID_KEY, "instrument_key", key)
    return contract


def _unit(request: Request, units: tuple[str, ...]) -> tuple[str, int]:
    unit = request.path_params["unit"]
    text = request.path_params["interval"]
    if unit not in units:
        raise UpstoxError(400, r.INVALID_UNIT, "unit", unit, f"unit must be one of {', '.join(units)}")
    if not text.isdigit() or not 1 <= int(text) <= MAX_INTERVAL[unit]:
        raise UpstoxError(
            400, r.INVALID_UNIT, "interval", text, f"interval for {unit} must be 1 to {MAX_INTERVAL[unit]}"
        )
    return unit, int(text)


def _bars(state: TwinState, instrument: Underlying | Contract, day: date) -> MinuteBars | None:
    if isinstance(instrument, Contract) and day > instrument.expiry:
        return None
    if state.market.calendar.session(day) is None:
        return None
    try:
        return state.payloads.bars(instrument, day)
    except OutOfRange:
        return None


async def historical_candles(request: Request) -> Response:
    """Candles of whole sessions before today (today's are on the intraday path), newest first."""
    state = twin_state(request)
    instrument = _instrument(state, request.path_params["instrument_key"])
    unit, interval = _unit(request, UNITS)
    to_date = _date(request.path_params["to_date"], "to_date")
    from_text = request.path_params.get("from_date")
    from_date = (
        _date(from_text, "from_date") if from_text else to_date - timedelta(days=DEFAULT_SPAN_DAYS[unit])
    )
    if from_date > to_date:
        raise UpstoxError(400, r.INVALID_RANGE, "from_date", from_text)
    if (to_date - from_date).days > max_span_days(unit, interval):
        raise UpstoxError(400, r.INVALID_RANGE, "from_date", from_text)
    last = min(to_date, state.now().date() - timedelta(days=1))
    sessions = []
    day = from_date
    while day <= last:
        bars = _bars(state, instrument, day)
        if bars is not None:
            sessions.append(bars)
        day += timedelta(days=1)
    return success({"candles": candles(sessions, unit, interval)})


async def intraday_candles(request: Request) -> Response:
    """Today's candles up to the twin's current minute (none before the open or on a closed day)."""
    state = twin_state(request)
    instrument = _instrument(state, request.path_params["instrument_key"])
    unit, interval = _unit(request, ("minutes", "hours", "days"))
    now = state.now()
    minute = state.market.minute_at(now)
    rows: list[list[object]] = []
    if minute is not None and minute.session.day == now.date():
        bars = _bars(state, instrument, minute.session.day)
        if bars is not None:
            rows = candles([bars.head(minute.index + 1)], unit, interval)
    return success({"candles": rows})


routes = [
    Route("/v2/market/status/{exchange}", status, methods=["GET"]),
    Route("/v2/market/holidays", holidays, methods=["GET"]),
    Route("/v2/market/holidays/{date}", holiday, methods=["GET"]),
    Route("/v2/market/timings/{date}", exchange_timings, methods=["GET"]),
    Route("/v2/option/contract", option_contracts, methods=["GET"]),
    Route("/v2/option/chain", option_chain, methods=["GET"]),
    Route("/v3/market-quote/option-greek", option_greeks, methods=["GET"]),
    Route("/v3/market-quote/ltp", ltp, methods=["GET"]),
    # The intraday route first: its four segments would also match the historical pattern.
    Route(
        "/v3/historical-candle/intraday/{instrument_key}/{unit}/{interval}", intraday_candles, methods=["GET"]
    ),
    Route(
        "/v3/historical-candle/{instrument_key}/{unit}/{interval}/{to_date}",
        historical_candles,
        methods=["GET"],
    ),
    Route(
        "/v3/historical-candle/{instrument_key}/{unit}/{interval}/{to_date}/{from_date}",
        historical_candles,
        methods=["GET"],
    ),
]
