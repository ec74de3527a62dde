"""Market-data routes under /api/v1: instruments, sessions, the chain at a minute, the greeks tracker, one
strike, and the live stream. HTTP only: parameters in, one service call, stored bytes out."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.datastructures import State
from starlette.responses import Response, StreamingResponse

from marketedge.analytics.bands import Selection
from marketedge.analytics.service import MarketData
from marketedge.analytics.tracker import TrackerQuery
from marketedge.api.hot import STREAM_HEADERS, STREAM_SLOT
from marketedge.api.live import LiveHub, StreamParams
from marketedge.api.market_schemas import (
    ChainRead,
    InstrumentsRead,
    SessionsRead,
    StrikeRead,
    SummaryRead,
    TrackerRead,
    answers,
)
from marketedge.api.params import check_band, parse_day, parse_time, reject_unknown
from marketedge.api.rendered import Rendered, RenderedCache, render, respond
from marketedge.api.status import status_answer
from marketedge.auth.deps import VIEWER
from marketedge.auth.errors_doc import COMMON, errors
from marketedge.core import clock
from marketedge.core.errors import NotFound, error_shape
from marketedge.core.jsonresponse import json_bytes

router = APIRouter(prefix="/api/v1", tags=["market data"], dependencies=[VIEWER], responses=COMMON)

Instrument = Annotated[str, Query(description="Index symbol, e.g. NIFTY", min_length=1, max_length=16)]
Expiry = Annotated[str | None, Query(description="Expiry date YYYY-MM-DD (default: the nearest tracked)")]
Day = Annotated[
    str | None, Query(alias="date", description="Trading day YYYY-MM-DD (default: the latest with data)")
]
DeltaMin = Annotated[float, Query(ge=0, le=1, description="Lower edge of the delta band (inclusive)")]
DeltaMax = Annotated[float, Query(ge=0, le=1, description="Upper edge of the delta band (inclusive)")]
Baseline = Annotated[str | None, Query(description="Baseline minute, HH:MM IST or ISO 8601 (default 09:15)")]


class Interval(StrEnum):
    one = "1"
    three = "3"
    five = "5"
    fifteen = "15"


IntervalParam = Annotated[Interval, Query(description="Minutes per row")]
SelectionParam = Annotated[
    Selection, Query(description="dynamic: re-select each minute; fixed: keep the baseline's")
]
From = Annotated[str | None, Query(alias="from", description="First minute, HH:MM IST or ISO 8601")]
To = Annotated[str | None, Query(alias="to", description="Last minute, HH:MM IST or ISO 8601")]
# The tracker's question: /greeks/summary asks it (with `format`), /tracker opens the screen with it.
TRACKER_QUERY = (
    "instrument",
    "expiry",
    "date",
    "delta_min",
    "delta_max",
    "selection",
    "baseline",
    "from",
    "to",
    "interval",
)


@dataclass(frozen=True, slots=True)
class TrackerQuestion:
    """The tracker's question past the index, checked: /greeks/summary and /tracker ask it alike."""

    expiry: str | None
    day: str | None
    query: TrackerQuery
    moments: tuple[str | None, str | None, str | None]  # baseline, from, to as asked


async def tracker_question(
    expiry: Expiry = None,
    day: Day = None,
    delta_min: DeltaMin = 0.05,
    delta_max: DeltaMax = 0.60,
    selection: SelectionParam = Selection.dynamic,
    baseline: Baseline = None,
    start: From = None,
    end: To = None,
    interval: IntervalParam = Interval.one,
) -> TrackerQuestion:
    check_band(delta_min, delta_max)
    query = TrackerQuery(delta_min, delta_max, selection, int(interval.value))
    return TrackerQuestion(expiry, day, query, (baseline, start, end))


Question = Annotated[TrackerQuestion, Depends(tracker_question)]


class Side(StrEnum):
    CE = "CE"
    PE = "PE"


class Format(StrEnum):
    json = "json"
    csv = "csv"


# async: FastAPI runs a plain `def` dependency in a worker thread, a cost on every request.
async def _service(request: Request) -> MarketData:
    service: MarketData = request.app.state.market_data
    return service


async def _rendered(request: Request) -> RenderedCache:
    cache: RenderedCache = request.app.state.rendered
    return cache


ServiceDep = Annotated[MarketData, Depends(_service)]
RenderedDep = Annotated[RenderedCache, Depends(_rendered)]


def _wants_csv(request: Request, fmt: Format | None) -> bool:
    if fmt is not None:
        return fmt is Format.csv
    return "text/csv" in request.headers.get("accept", "")


def _version(frame_minutes: tuple[object, ...]) -> str:
    return f"{len(frame_minutes)}:{frame_minutes[-1] if frame_minutes else '-'}"


def _this_minute() -> str:
    """The version of answers read from the database at most once a minute (instruments, sessions)."""
    return clock.floor_minute(clock.now()).isoformat()


@router.get(
    "/instruments",
    summary="The tracked indices: symbol, Upstox key, lot size, strike step, expiries with data",
    responses={**answers(InstrumentsRead, "The tracked indices"), **errors(422)},
    dependencies=[Depends(reject_unknown())],
)
async def instruments(request: Request, service: ServiceDep, rendered: RenderedDep) -> Response:
    answer = functools.partial(_instruments_answer, service, rendered)
    return respond(request, await answer(), again=answer)


async def _instruments_answer(service: MarketData, rendered: RenderedCache) -> Rendered:
    async def build() -> Rendered:
        return render(json_bytes(await service.instruments_payload()), "application/json")

    answer = await rendered.get("instruments", _this_minute(), build)
    return answer.marked_stale(service.universe_stale)


@router.get(
    "/sessions",
    summary="Trading days with stored data for an instrument, with minute counts and gaps",
    responses={**answers(SessionsRead, "Days with data, newest first"), **errors(404)},
    dependencies=[Depends(reject_unknown("instrument"))],
)
async def sessions(
    request: Request, service: ServiceDep, rendered: RenderedDep, instrument: Instrument
) -> Response:
    answer = functools.partial(_sessions_answer, service, rendered, instrument)
    return respond(request, await answer(), again=answer)


async def _sessions_answer(service: MarketData, rendered: RenderedCache, instrument: str) -> Rendered:
    async def build() -> Rendered:
        return render(json_bytes(await service.sessions_payload(instrument)), "application/json")

    return await rendered.get(f"sessions:{instrument.upper()}", _this_minute(), build)


@router.get(
    "/chain",
    summary="The option chain at a stored minute (default: the latest), both sides, greeks with the source of their IV",
    responses={**answers(ChainRead, "The chain at the minute"), **errors(404)},
    dependencies=[Depends(reject_unknown("instrument", "expiry", "date", "at", "strikes"))],
)
async def chain(
    request: Request,
    service: ServiceDep,
    rendered: RenderedDep,
    instrument: Instrument,
    expiry: Expiry = None,
    day: Day = None,
    at: Annotated[
        str | None, Query(description="Minute, HH:MM IST or ISO 8601 (default: the latest)")
    ] = None,
    strikes: Annotated[
        int | None, Query(ge=1, le=200, description="Strikes each side of the ATM strike")
    ] = None,
) -> Response:
    async def answer() -> Rendered:
        selected = await service.select(instrument, parse_day(expiry, "expiry"), parse_day(day))
        when = parse_time(at, selected.day, "at")
        key = f"chain:{selected.symbol}:{selected.expiry}:{selected.day}:{when}:{strikes}"

        async def build() -> Rendered:
            return render(json_bytes(service.chain_payload(selected, when, strikes)), "application/json")

        answer = await rendered.get(key, _version(selected.frame.minutes), build)
        return answer.marked_stale(selected.stale)

    return respond(request, await answer(), per_minute=service.delayed, again=answer)


@router.get(
    "/greeks/summary",
    summary="The greeks tracker: per minute, calls, puts and net inside the delta band, with both changes",
    responses={**answers(SummaryRead, "Columns, one entry per row (minute)", csv=True), **errors(404)},
    dependencies=[Depends(reject_unknown(*TRACKER_QUERY, "format"))],
)
async def greeks_summary(
    request: Request,
    service: ServiceDep,
    rendered: RenderedDep,
    instrument: Instrument,
    question: Question,
    fmt: Annotated[Format | None, Query(alias="format", description="json (default) or csv")] = None,
) -> Response:
    answer = functools.partial(
        _summary_answer, service, rendered, instrument, question, _wants_csv(request, fmt)
    )
    return respond(request, await answer(), per_minute=service.delayed, again=answer)


async def _summary_answer(
    service: MarketData,
    rendered: RenderedCache,
    instrument: str,
    question: TrackerQuestion,
    as_csv: bool,
) -> Rendered:
    selected = await service.select(instrument, parse_day(question.expiry, "expiry"), parse_day(question.day))
    query = question.query
    times = [
        parse_time(v, selected.day, n)
        for v, n in zip(question.moments, ("baseline", "from", "to"), strict=True)
    ]
    key = f"summary:{selected.symbol}:{selected.expiry}:{selected.day}:{query}:{times}:{as_csv}"

    async def build():  # type: ignore[no-untyped-def]
        tracker = service.tracker(selected, query, *times)
        if as_csv:
            name = f"{selected.symbol}-{selected.expiry}-{selected.day}-greeks.csv"
            return render(service.summary_csv(tracker), "text/csv; charset=utf-8", name)
        return render(json_bytes(service.summary_payload(selected, query, tracker)), "application/json")

    answer = await rendered.get(key, _version(selected.frame.minutes), build)
    return answer.marked_stale(selected.stale)


# What the tracker screen asks when it opens, besides who is asking and the stream.
TRACKER_PARTS = ("status", "instruments", "sessions", "summary")


@router.get(
    "/tracker",
    summary="The tracker screen's opening answer: status, instruments, sessions and the summary in one",
    description=(
        "Each part is exactly what its own endpoint answers (`/status`, `/instruments`, `/sessions` for the "
        "instrument, `/greeks/summary` for the same parameters). A part that its endpoint would answer 404 "
        "(no data on that date, an unknown expiry) is null and `errors` holds that answer's status and body; "
        "without `instrument`, the first index /instruments lists is the one asked about; "
        "parameter errors answer 422 for the whole request. One request instead of four, for the 09:15 "
        "arrival of everyone at once (docs/scaling.md)."
    ),
    responses=answers(TrackerRead, "The four answers the tracker opens with"),
    dependencies=[Depends(reject_unknown(*TRACKER_QUERY))],
)
async def tracker(
    request: Request,
    service: ServiceDep,
    rendered: RenderedDep,
    question: Question,
    instrument: Annotated[
        str | None,
        Query(
            description="Index symbol, e.g. NIFTY (default: the first tracked, as /instruments lists them)",
            min_length=1,
            max_length=16,
        ),
    ] = None,
) -> Response:
    query_string = request.scope["query_string"].decode("latin-1")
    answer = functools.partial(
        _tracker_answer, request.app.state, service, rendered, instrument, question, query_string
    )
    return respond(request, await answer(), again=answer)


async def _tracker_answer(
    state: State,
    service: MarketData,
    rendered: RenderedCache,
    instrument: str | None,
    question: TrackerQuestion,
    query_string: str,
) -> Rendered:
    if instrument is None:  # the screen shows the first tracked index when its address names none
        instrument = next(iter(await service.universe()), "-")
    index = instrument
    getters = (
        lambda: status_answer(state),
        lambda: _instruments_answer(service, rendered),
        lambda: _sessions_answer(service, rendered, index),
        lambda: _summary_answer(service, rendered, index, question, as_csv=False),
    )
    parts: dict[str, Rendered | NotFound] = {}
    for name, get in zip(TRACKER_PARTS, getters, strict=True):
        try:
            parts[name] = await get()
        except NotFound as exc:  # that endpoint's own 404: the screen shows it where the part would be
            parts[name] = exc
    version = ":".join(p.etag if isinstance(p, Rendered) else f"404 {p.message}" for p in parts.values())

    async def build() -> Rendered:
        body, errors = [], {}
        for name, part in parts.items():
            if isinstance(part, Rendered):
                body.append(b'"' + name.encode() + b'":' + part.body)
            else:
                body.append(b'"' + name.encode() + b'":null')
                errors[name] = {
                    "status": part.status_code,
                    **error_shape(None, part.code, part.message, part.details),
                }
        body.append(b'"errors":' + json_bytes(errors))
        return render(b"{" + b",".join(body) + b"}", "application/json")

    answer = await rendered.get(f"tracker:{query_string}", version, build)
    # Stale when a part is (its data could not be refreshed): the first part's reason says why.
    return answer.marked_stale(
        next((p.stale for p in parts.values() if isinstance(p, Rendered) and p.stale), None)
    )


@router.get(
    "/greeks/strike",
    summary="One contract's minutes: price, IV, greeks, OI, with the change since baseline and minute change",
    responses={**answers(StrikeRead, "Columns, one entry per minute", csv=True), **errors(404)},
    dependencies=[
        Depends(reject_unknown("instrument", "expiry", "date", "strike", "side", "baseline", "format"))
    ],
)
async def greeks_strike(
    request: Request,
    service: ServiceDep,
    rendered: RenderedDep,
    instrument: Instrument,
    strike: Annotated[float, Query(gt=0, description="Strike price")],
    side: Annotated[Side, Query(description="CE (call) or PE (put)")],
    expiry: Expiry = None,
    day: Day = None,
    baseline: Baseline = None,
    fmt: Annotated[Format | None, Query(alias="format", description="json (default) or csv")] = None,
) -> Response:
    as_csv = _wants_csv(request, fmt)

    async def answer() -> Rendered:
        selected = await service.select(instrument, parse_day(expiry, "expiry"), parse_day(day))
        when = parse_time(baseline, selected.day, "baseline")
        key = (
            f"strike:{selected.symbol}:{selected.expiry}:{selected.day}:{strike}:{side.value}:{when}:{as_csv}"
        )

        async def build() -> Rendered:
            tracker, _ = service.strike_tracker(selected, strike, side.value, when)
            if as_csv:
                name = f"{selected.symbol}-{selected.expiry}-{strike:g}{side.value}-{selected.day}.csv"
                return render(service.strike_csv(tracker), "text/csv; charset=utf-8", name)
            return render(
                json_bytes(service.strike_payload(selected, strike, side.value, tracker)), "application/json"
            )

        answer = await rendered.get(key, _version(selected.frame.minutes), build)
        return answer.marked_stale(selected.stale)

    return respond(request, await answer(), per_minute=service.delayed, again=answer)


@router.get(
    "/stream",
    summary="Server-Sent Events: a tracker update the moment a minute is stored; heartbeats; Last-Event-ID resumes",
    dependencies=[
        Depends(
            reject_unknown(
                "instrument", "expiry", "date", "delta_min", "delta_max", "selection", "baseline", "interval"
            )
        )
    ],
)
async def stream(
    request: Request,
    service: ServiceDep,
    instrument: Instrument,
    expiry: Expiry = None,
    day: Day = None,
    delta_min: DeltaMin = 0.05,
    delta_max: DeltaMax = 0.60,
    selection: Selection = Selection.dynamic,
    baseline: Baseline = None,
    interval: Interval = Interval.one,
) -> StreamingResponse:
    check_band(delta_min, delta_max)
    first = await service.select(instrument, parse_day(expiry, "expiry"), parse_day(day))
    query = TrackerQuery(delta_min, delta_max, selection, int(interval.value))
    last_seen = parse_time(request.headers.get("last-event-id"), first.day, "Last-Event-ID")
    params = StreamParams(
        first.symbol, first.expiry, first.day, query, parse_time(baseline, first.day, "baseline")
    )
    # One broadcaster builds each minute's event once per parameter set for every subscriber (api/live.py).
    hub: LiveHub = request.app.state.live
    slot = request.scope.get(STREAM_SLOT)
    if slot is not None:  # the hot path starts the next identical stream without this route (api/hot.py)
        slot.append(params)
    return StreamingResponse(
        hub.stream(params, last_seen, first), media_type="text/event-stream", headers=STREAM_HEADERS
    )
