"""The shapes of the market-data answers, for the OpenAPI document (and the UI's generated types).

The routes send pre-rendered bytes (see rendered.py), so these models describe the answers rather than build
them; Schemathesis checks every answer against them. Columns are lists with one entry per minute; null is a
gap (a missing minute), never a zero."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from marketedge.analytics.bands import Selection
from marketedge.auth.errors_doc import ErrorDetail

Column = list[float | None]
GreeksSourceName = Literal["upstox", "engine", "backfill", "none"]


class InstrumentRead(BaseModel):
    symbol: str
    instrument_key: str
    name: str
    exchange: str
    lot_size: int | None
    strike_step: float | None
    enabled: bool
    expiries: list[dt.date] = Field(description="Every expiry with stored data, on any day")
    latest_date: dt.date | None = Field(description="The latest trading day with stored data")


class InstrumentsRead(BaseModel):
    instruments: list[InstrumentRead]


class TradingDayExpiryRead(BaseModel):
    expiry: dt.date
    minutes: int = Field(description="Stored minutes")
    gaps: int | None = Field(description="Minutes the session should have had so far that are missing")
    first: dt.datetime
    last: dt.datetime


class TradingDayRead(BaseModel):
    date: dt.date
    expected_minutes: int | None = Field(description="Minutes the session has had so far (all, once closed)")
    expiries: list[TradingDayExpiryRead]


class SessionsRead(BaseModel):
    instrument: str
    sessions: list[TradingDayRead] = Field(description="Trading days with data, newest first")


class SeriesRead(BaseModel):
    level: Column
    change: Column = Field(description="level minus the baseline minute's level")
    minute_change: Column = Field(description="level minus the previous row's level")


class BandRead(BaseModel):
    delta_min: float
    delta_max: float
    selection: Selection


class BaselineRead(BaseModel):
    requested: dt.datetime
    minute: dt.datetime = Field(description="The stored minute used: the first at or after the requested one")
    late_by_minutes: int


class SideSeriesRead(BaseModel):
    delta: SeriesRead
    gamma: SeriesRead
    theta: SeriesRead = Field(description="Per calendar day")
    vega: SeriesRead = Field(description="Per volatility point")
    oi: SeriesRead
    volume: SeriesRead
    strikes: SeriesRead = Field(description="How many strikes are in the band")
    iv_mean: SeriesRead = Field(description="A fraction: 0.142 is 14.2 %")
    iv_oi_weighted: SeriesRead = Field(description="A fraction, weighted by open interest")


class SummarySeriesRead(BaseModel):
    ce: SideSeriesRead
    pe: SideSeriesRead
    net: SideSeriesRead


class SummaryRead(BaseModel):
    instrument: str
    expiry: dt.date
    date: dt.date
    band: BandRead
    interval: int = Field(description="Minutes per row: 1, 3, 5 or 15")
    baseline: BaselineRead
    latest_minute: dt.datetime
    minutes: list[dt.datetime] = Field(description="One per row, IST (+05:30)")
    spot: Column
    span: Column = Field(description="How many minutes a row's minute change covers; null on the first row")
    series: SummarySeriesRead


class StrikeBaselineRead(BaseModel):
    requested: dt.datetime
    minute: dt.datetime


class StrikeSeriesRead(BaseModel):
    ltp: SeriesRead
    iv: SeriesRead = Field(description="A fraction: 0.142 is 14.2 %")
    delta: SeriesRead
    gamma: SeriesRead
    theta: SeriesRead = Field(description="Per calendar day")
    vega: SeriesRead = Field(description="Per volatility point")
    oi: SeriesRead
    volume: SeriesRead


class StrikeRead(BaseModel):
    instrument: str
    expiry: dt.date
    date: dt.date
    strike: float
    side: Literal["CE", "PE"]
    baseline: StrikeBaselineRead
    minutes: list[dt.datetime]
    spot: Column
    span: Column
    series: StrikeSeriesRead


class ChainSideRead(BaseModel):
    ltp: Column
    bid: Column
    ask: Column
    volume: Column
    oi: Column
    prev_oi: Column
    oi_change: Column
    iv: Column = Field(description="A fraction: 0.142 is 14.2 %")
    delta: Column
    gamma: Column
    theta: Column = Field(description="Per calendar day")
    vega: Column = Field(description="Per volatility point")
    source: list[GreeksSourceName] = Field(
        description="Where the IV behind each strike's greeks came from (every greek is our engine's): upstox, "
        "engine (implied from the price), backfill (from candles), none"
    )


class ChainRead(BaseModel):
    instrument: str
    expiry: dt.date
    date: dt.date
    minute: dt.datetime = Field(description="The stored minute shown: the latest at or before the one asked")
    requested: dt.datetime | None
    spot: float
    atm_strike: float
    strikes: list[float]
    minutes_stored: list[dt.datetime] = Field(description="Every stored minute of the day, for a replay")
    ce: ChainSideRead
    pe: ChainSideRead
    units: dict[str, str]


class PartError(BaseModel):
    status: int = Field(description="The HTTP status the part's own endpoint answers")
    error: ErrorDetail = Field(description="Its error, in the app's one error shape")


class TrackerRead(BaseModel):
    """GET /tracker: each part is its own endpoint's answer; null when that answer is a 404 (see `errors`)."""

    status: dict[str, Any] | None = Field(description="GET /status (its shape is not published yet)")
    instruments: InstrumentsRead | None
    sessions: SessionsRead | None
    summary: SummaryRead | None
    errors: dict[str, PartError] = Field(description="Part name → the 404 its endpoint answers")


def answers(
    model: type[BaseModel], description: str, *, csv: bool = False
) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route that sends rendered bytes: the JSON model, and CSV when it can send that."""
    answer: dict[str, Any] = {"model": model, "description": description}
    if csv:
        answer["content"] = {"text/csv": {"schema": {"type": "string"}}}
    return {200: answer}
