"""Market data for the API: validates what a caller asks against the universe and the calendar, reads the day
from the minute cache (never the minute tables), and shapes the tracker, a strike and the chain as columnar
data. The universe and the session list are read from the database at most once a minute; while the database
does not answer, the last universe read and the days the cache holds are served, marked stale."""

from __future__ import annotations

import asyncio
import bisect
import csv
import io
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import structlog
from numpy.typing import NDArray

from marketedge.analytics.bands import METRICS, SIDES
from marketedge.analytics.tracker import (
    NoBaseline,
    Tracker,
    TrackerQuery,
    baseline_index,
    build_tracker,
    timeline,
)
from marketedge.cache import DATABASE_AWAY, MinuteCache
from marketedge.chain import store
from marketedge.chain.calendar import Session, TradingCalendar
from marketedge.chain.frames import FIELD_INDEX, DayFrame, GreeksSource
from marketedge.chain.instruments import all_instruments
from marketedge.core import clock
from marketedge.core.db import Database
from marketedge.core.errors import InvalidInput, NotFound, database_unavailable
from marketedge.models import TrackedExpiry

STRIKE_FIELDS = ("ltp", "iv", "delta", "gamma", "theta", "vega", "oi", "volume")
CHAIN_FIELDS = ("ltp", "bid", "ask", "volume", "oi", "prev_oi", "iv", "delta", "gamma", "theta", "vega")
SOURCE_NAMES = [s.name for s in GreeksSource]
PAST_DAYS_SECONDS = 900  # how long the stored-minute counts of days before today are reused (sessions answer)

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class InstrumentInfo:
    symbol: str
    instrument_key: str
    name: str
    exchange: str
    lot_size: int | None
    strike_step: float | None
    enabled: bool
    expiries: dict[date, list[date]]  # trading day → expiries tracked that day


@dataclass(slots=True)
class _Universe:
    loaded_for: datetime | None = None
    instruments: dict[str, InstrumentInfo] = field(default_factory=dict)
    stale: str | None = None  # why these are an earlier minute's (the database did not answer)


@dataclass(frozen=True, slots=True)
class Selected:
    symbol: str
    expiry: date
    day: date
    session: Session
    frame: DayFrame
    stale: str | None = None  # why the frame may lack minutes it should have (MinuteCache.read)


class MarketData:
    def __init__(
        self,
        database: Database,
        cache: MinuteCache,
        calendar: TradingCalendar,
        *,
        display_delay_minutes: int = 0,
    ) -> None:
        self._database = database
        self._cache = cache
        self._calendar = calendar
        # DISPLAY_DELAY_MINUTES (docs/compliance.md): nothing newer than now − delay is ever served.
        self._delay = timedelta(minutes=display_delay_minutes)
        self._delayed: dict[tuple[str, date, date], tuple[DayFrame, int, DayFrame]] = {}
        self._universe = _Universe()
        self._lock = asyncio.Lock()
        self._past_counts: dict[str, tuple[date, float, list[store.DayCount]]] = {}

    @property
    def delayed(self) -> bool:
        """Whether answers change with the clock as well as with the stored minutes (a display delay is set)."""
        return bool(self._delay)

    # -- the universe -------------------------------------------------------------------------------------

    async def universe(self) -> dict[str, InstrumentInfo]:
        minute = clock.floor_minute(clock.now())
        if self._universe.loaded_for == minute:
            return self._universe.instruments
        async with self._lock:
            if self._universe.loaded_for != minute:
                try:
                    self._universe = _Universe(minute, await self._load_universe())
                except Exception as exc:
                    if not database_unavailable(exc) or self._universe.loaded_for is None:
                        raise
                    # The universe changes once a day: the last one read serves until the database answers
                    # (asked again next minute).
                    if self._universe.stale is None:
                        log.warning("market data: the database is not answering; the last universe serves")
                    self._universe = _Universe(minute, self._universe.instruments, DATABASE_AWAY)
        return self._universe.instruments

    @property
    def universe_stale(self) -> str | None:
        """Why the universe served is an earlier minute's, if it is."""
        return self._universe.stale

    def forget_universe(self) -> None:
        self._universe = _Universe()

    async def _load_universe(self) -> dict[str, InstrumentInfo]:
        from sqlalchemy import select

        async with self._database.sessions() as session:
            instruments = await all_instruments(session)
            rows = await session.execute(
                select(TrackedExpiry.symbol, TrackedExpiry.trading_day, TrackedExpiry.expiry)
            )
        by_symbol: dict[str, dict[date, list[date]]] = {}
        for symbol, day, expiry in rows:
            by_symbol.setdefault(symbol, {}).setdefault(day, []).append(expiry)
        return {
            i.symbol: InstrumentInfo(
                i.symbol,
                i.instrument_key,
                i.name,
                i.exchange,
                i.lot_size,
                i.strike_step,
                i.enabled,
                {d: sorted(e) for d, e in sorted(by_symbol.get(i.symbol, {}).items())},
            )
            for i in instruments
        }

    async def instruments_payload(self) -> dict[str, Any]:
        universe = await self.universe()
        return {
            "instruments": [
                {
                    "symbol": i.symbol,
                    "instrument_key": i.instrument_key,
                    "name": i.name,
                    "exchange": i.exchange,
                    "lot_size": i.lot_size,
                    "strike_step": i.strike_step,
                    "enabled": i.enabled,
                    "expiries": sorted({e.isoformat() for es in i.expiries.values() for e in es}),
                    "latest_date": max(i.expiries).isoformat() if i.expiries else None,
                }
                for i in universe.values()
            ]
        }

    # -- choosing what to read ---------------------------------------------------------------------------

    async def select(self, symbol: str, expiry: date | None, day: date | None) -> Selected:
        universe = await self.universe()
        info = universe.get(symbol.upper())
        if info is None:
            raise NotFound(
                f"Unknown instrument {symbol!r}",
                details={"parameter": "instrument", "choices": sorted(universe)},
            )
        today = clock.today()
        if day is None:  # the latest day with data
            past = [d for d in info.expiries if d <= today]
            day = max(past) if past else today
        if day > today:
            raise NotFound(f"{day.isoformat()} is in the future", details={"parameter": "date"})
        session = self._calendar.session(day)
        if session is None:
            raise NotFound(
                f"No trading session on {day.isoformat()} (weekend or exchange holiday)",
                details={"parameter": "date"},
            )
        choices = info.expiries.get(day, [])
        if not choices:
            raise NotFound(
                f"No data stored for {info.symbol} on {day.isoformat()}",
                details={"parameter": "date", "dates": [d.isoformat() for d in info.expiries]},
            )
        if expiry is None:
            expiry = choices[0]
        elif expiry not in choices:
            raise NotFound(
                f"{info.symbol} has no tracked expiry {expiry.isoformat()} on {day.isoformat()}",
                details={"parameter": "expiry", "choices": [e.isoformat() for e in choices]},
            )
        read = await self._cache.read(info.symbol, expiry, day)
        frame = read.frame
        if self._delay:
            frame = self._until(info.symbol, expiry, day, frame, clock.now() - self._delay)
        return Selected(info.symbol, expiry, day, session, frame, read.stale)

    def _until(self, symbol: str, expiry: date, day: date, frame: DayFrame, last: datetime) -> DayFrame:
        """The frame's minutes up to `last`, as views; the same cut of the same frame is reused, so what
        readers derive from it once (DayFrame.rowwise) is kept for the minute."""
        keep = bisect.bisect_right(frame.epoch_minutes, int(last.timestamp() // 60))
        if keep == len(frame):
            return frame
        memo = self._delayed.get((symbol, expiry, day))
        if memo is not None and memo[0] is frame and memo[1] == keep:
            return memo[2]
        cut = frame.head(keep)
        self._delayed[(symbol, expiry, day)] = (frame, keep, cut)
        return cut

    # -- sessions -----------------------------------------------------------------------------------------

    async def _day_counts(self, symbol: str) -> list[store.DayCount]:
        """Minutes stored per day and expiry. Today's are read at each call (the route asks once a minute);
        earlier days' at most every PAST_DAYS_SECONDS: reading every minute of the retention window (~16,000
        rows per instrument at 30 days) each minute would take much of the minute's CPU under 0.1 CPU
        (docs/scaling.md). A backfill of an earlier day therefore shows within PAST_DAYS_SECONDS."""
        today = clock.today()
        past = self._past_counts.get(symbol)
        async with self._database.sessions() as session:
            if past is None or past[0] != today or time.monotonic() - past[1] > PAST_DAYS_SECONDS:
                past = (today, time.monotonic(), await store.day_counts(session, symbol, before=today))
                self._past_counts[symbol] = past
            return [*past[2], *await store.day_counts(session, symbol, since=today)]

    async def sessions_payload(self, symbol: str) -> dict[str, Any]:
        universe = await self.universe()
        info = universe.get(symbol.upper())
        if info is None:
            raise NotFound(
                f"Unknown instrument {symbol!r}",
                details={"parameter": "instrument", "choices": sorted(universe)},
            )
        days: dict[date, list[store.DayCount]] = {}
        for count in await self._day_counts(info.symbol):
            days.setdefault(count.day, []).append(count)
        out = []
        for day, counts in sorted(days.items(), reverse=True):
            trading = self._calendar.session(day)
            expected = self._expected_count(trading) if trading else None
            out.append(
                {
                    "date": day.isoformat(),
                    "expected_minutes": expected,
                    "expiries": [
                        {
                            "expiry": c.expiry.isoformat(),
                            "minutes": c.minutes,
                            "gaps": (expected - c.minutes) if expected is not None else None,
                            "first": c.first.isoformat(),
                            "last": c.last.isoformat(),
                        }
                        for c in counts
                    ],
                }
            )
        return {"instrument": info.symbol, "sessions": out}

    def _expected_count(self, session: Session) -> int:
        now = clock.now()
        if now < session.open:
            return 0
        last = min(clock.floor_minute(now), session.close)
        return int((last - session.open).total_seconds() // 60) + 1

    # -- the tracker ------------------------------------------------------------------------------------------

    def tracker(
        self,
        selected: Selected,
        query: TrackerQuery,
        baseline: datetime | None,
        start: datetime | None,
        end: datetime | None,
    ) -> Tracker:
        frame, session = selected.frame, selected.session
        if not len(frame):
            raise NotFound(f"No minutes stored for {selected.symbol} {selected.expiry} on {selected.day}")
        start = max(start or session.open, session.open)
        last_stored = frame.minutes[-1]
        end = min(end or last_stored, session.close)
        if self._delay:  # no row, not even an empty one, for a minute still inside the delay
            end = min(end, clock.floor_minute(clock.now() - self._delay))
        if end < start:
            raise InvalidInput("from must not be after to", details={"parameter": "from"})
        try:
            return build_tracker(frame, query, baseline or session.open, start, end)
        except NoBaseline as exc:
            raise NotFound(str(exc), details={"parameter": "baseline"}) from None

    def summary_payload(self, selected: Selected, query: TrackerQuery, tracker: Tracker) -> dict[str, Any]:
        late = (tracker.baseline - tracker.baseline_requested).total_seconds() / 60
        return {
            "instrument": selected.symbol,
            "expiry": selected.expiry.isoformat(),
            "date": selected.day.isoformat(),
            "band": {
                "delta_min": query.delta_min,
                "delta_max": query.delta_max,
                "selection": query.selection.value,
            },
            "interval": query.interval,
            "baseline": {
                "requested": tracker.baseline_requested.isoformat(),
                "minute": tracker.baseline.isoformat(),
                "late_by_minutes": max(0, int(late)),
            },
            "latest_minute": selected.frame.minutes[-1].isoformat(),
            "minutes": tracker.iso_minutes(),
            "spot": _rounded(tracker.spot, 2),
            "span": _rounded(tracker.span, 0),
            "series": {
                side: {
                    metric: {
                        "level": _rounded(level, _DECIMALS.get(metric, 6)),
                        "change": _rounded(change, _DECIMALS.get(metric, 6)),
                        "minute_change": _rounded(minute_change, _DECIMALS.get(metric, 6)),
                    }
                    for metric, (level, change, minute_change) in tracker.series[side].items()
                }
                for side in SIDES
            },
        }

    def summary_csv(self, tracker: Tracker) -> bytes:
        header = ["time", "spot", "span_minutes"]
        columns: list[NDArray[np.float64]] = [tracker.spot, tracker.span]
        for side in SIDES:
            for metric in METRICS:
                level, change, minute_change = tracker.series[side][metric]
                for kind, values in (("level", level), ("change", change), ("minute_change", minute_change)):
                    header.append(f"{side}_{metric}_{kind}")
                    columns.append(np.round(values, _DECIMALS.get(metric, 6)))
        return _csv(header, tracker.iso_minutes(), columns)

    # -- one strike -------------------------------------------------------------------------------------------

    def strike_tracker(
        self, selected: Selected, strike: float, side: str, baseline: datetime | None
    ) -> tuple[Tracker, dict[str, NDArray[np.float64]]]:
        frame = selected.frame
        if not len(frame):
            raise NotFound(f"No minutes stored for {selected.symbol} {selected.expiry} on {selected.day}")
        matches = np.nonzero(np.isclose(frame.strikes, strike))[0]
        if matches.size == 0:
            nearest = frame.strikes[np.argsort(np.abs(frame.strikes - strike))[:5]]
            raise NotFound(
                f"No strike {strike:g} in {selected.symbol} {selected.expiry}",
                details={"parameter": "strike", "nearest": sorted(float(s) for s in nearest)},
            )
        k, s = int(matches[0]), (0 if side == "CE" else 1)
        metrics = {name: frame.values[:, FIELD_INDEX[name], s, k] for name in STRIKE_FIELDS}
        try:
            b = baseline_index(frame, baseline or selected.session.open)
        except NoBaseline as exc:
            raise NotFound(str(exc), details={"parameter": "baseline"}) from None
        result = timeline(
            frame,
            {"strike": metrics},
            b,
            baseline or selected.session.open,
            selected.session.open,
            frame.minutes[-1],
        )
        return result, metrics

    def strike_payload(
        self, selected: Selected, strike: float, side: str, tracker: Tracker
    ) -> dict[str, Any]:
        return {
            "instrument": selected.symbol,
            "expiry": selected.expiry.isoformat(),
            "date": selected.day.isoformat(),
            "strike": strike,
            "side": side,
            "baseline": {
                "requested": tracker.baseline_requested.isoformat(),
                "minute": tracker.baseline.isoformat(),
            },
            "minutes": tracker.iso_minutes(),
            "spot": _rounded(tracker.spot, 2),
            "span": _rounded(tracker.span, 0),
            "series": {
                metric: {
                    "level": _rounded(level, _DECIMALS.get(metric, 6)),
                    "change": _rounded(change, _DECIMALS.get(metric, 6)),
                    "minute_change": _rounded(minute_change, _DECIMALS.get(metric, 6)),
                }
                for metric, (level, change, minute_change) in tracker.series["strike"].items()
            },
        }

    def strike_csv(self, tracker: Tracker) -> bytes:
        header = ["time", "spot"]
        columns: list[NDArray[np.float64]] = [tracker.spot]
        for metric, (level, change, minute_change) in tracker.series["strike"].items():
            for kind, values in (("level", level), ("change", change), ("minute_change", minute_change)):
                header.append(f"{metric}_{kind}")
                columns.append(np.round(values, _DECIMALS.get(metric, 6)))
        return _csv(header, tracker.iso_minutes(), columns)

    # -- the chain -------------------------------------------------------------------------------------------

    def chain_payload(self, selected: Selected, at: datetime | None, window: int | None) -> dict[str, Any]:
        frame = selected.frame
        if not len(frame):
            raise NotFound(f"No minutes stored for {selected.symbol} {selected.expiry} on {selected.day}")
        if at is None:
            index = len(frame) - 1
        else:
            wanted = clock.floor_minute(at)
            candidates = [i for i, m in enumerate(frame.minutes) if m <= wanted]
            if not candidates:
                raise NotFound(
                    f"No stored minute at or before {wanted:%H:%M} on {selected.day}",
                    details={"parameter": "at", "first": frame.minutes[0].isoformat()},
                )
            index = candidates[-1]
        chain = frame.chain_at(index)
        atm_index = int(np.argmin(np.abs(chain.strikes - chain.spot)))
        keep = slice(None)
        if window is not None:
            keep = slice(max(0, atm_index - window), atm_index + window + 1)
        strikes = chain.strikes[keep]

        def side(s: int) -> dict[str, Any]:
            values: dict[str, Any] = {
                name: _rounded(chain.values[FIELD_INDEX[name], s, keep], _DECIMALS.get(name, 6))
                for name in CHAIN_FIELDS
            }
            oi = chain.values[FIELD_INDEX["oi"], s, keep]
            prev = chain.values[FIELD_INDEX["prev_oi"], s, keep]
            values["oi_change"] = _rounded(oi - prev, 0)
            values["source"] = [SOURCE_NAMES[int(x)] for x in chain.source[s, keep]]
            return values

        return {
            "instrument": selected.symbol,
            "expiry": selected.expiry.isoformat(),
            "date": selected.day.isoformat(),
            "minute": chain.minute.isoformat(),
            "requested": at.isoformat() if at else None,
            "spot": round(chain.spot, 2),
            "atm_strike": float(chain.strikes[atm_index]),
            "strikes": strikes.tolist(),
            "minutes_stored": [m.isoformat() for m in frame.minutes],
            "ce": side(0),
            "pe": side(1),
            "units": {"iv": "fraction", "theta": "per calendar day", "vega": "per volatility point"},
        }


# As many decimals as the stored precision (frames.QUANTUM): the JSON shows what is stored, no more.
_DECIMALS = {
    "ltp": 2,
    "bid": 2,
    "ask": 2,
    "volume": 0,
    "oi": 0,
    "prev_oi": 0,
    "strikes": 0,
    "iv": 6,
    "iv_mean": 6,
    "iv_oi_weighted": 6,
    "delta": 6,
    "gamma": 8,
    "theta": 4,
    "vega": 4,
}


def _rounded(values: NDArray[np.float64], decimals: int) -> NDArray[np.float64]:
    """JSON-ready: rounded; orjson writes NaN (a gap, never a zero) as null."""
    return np.asarray(np.round(values, decimals), dtype=np.float64)


def _csv(header: list[str], minutes: list[str], columns: list[NDArray[np.float64]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    table = np.column_stack(columns) if columns else np.empty((len(minutes), 0))
    for minute, row in zip(minutes, table.tolist(), strict=True):
        writer.writerow([minute, *("" if v != v else f"{v:g}" for v in row)])
    return out.getvalue().encode()
