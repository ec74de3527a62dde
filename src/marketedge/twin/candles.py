"""Candles v3 from the simulated market: 1-minute bars per session, grouped into minutes, hours, days, weeks, months.

A 1-minute bar's close is that minute's chain value (the index level, or the contract's ltp), its open the
previous minute's close, so bars and chain snapshots always agree. Rows are Upstox's
`[timestamp+05:30, open, high, low, close, volume, oi]`, newest first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from marketedge.core.clock import IST
from marketedge.twin.instruments import Contract, Underlying
from marketedge.twin.market import TICK, Market, round_to_tick

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Unit = Literal["minutes", "hours", "days", "weeks", "months"]

UNITS: tuple[str, ...] = ("minutes", "hours", "days", "weeks", "months")
MAX_INTERVAL = {"minutes": 300, "hours": 5, "days": 1, "weeks": 1, "months": 1}
# The longest from-to span one call may ask for (Upstox: a month of 1-15 minute bars, a quarter above that).
MAX_SPAN_DAYS = {"minutes": 31, "hours": 92, "days": 3660, "weeks": 3660 * 3, "months": 3660 * 3}
CandleRow = list[object]


@dataclass(frozen=True, slots=True)
class MinuteBars:
    """One session's 1-minute bars of one instrument."""

    day: date
    open_at: datetime  # the first minute
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: IntArray
    oi: IntArray

    def head(self, count: int) -> MinuteBars:
        """The first `count` bars (a session still in progress)."""
        return MinuteBars(
            self.day,
            self.open_at,
            self.open[:count],
            self.high[:count],
            self.low[:count],
            self.close[:count],
            self.volume[:count],
            self.oi[:count],
        )


def max_span_days(unit: str, interval: int) -> int:
    if unit == "minutes" and interval > 15:
        return 92
    return MAX_SPAN_DAYS[unit]


def index_bars(market: Market, u: Underlying, day: date) -> MinuteBars:
    path = market.day_path(u, day)
    close = path.spot
    opening = np.concatenate(([path.open], close[:-1]))
    n = close.size
    wick = market.wick(u.code * 10, day, 2 * n).reshape(2, n)
    body = np.abs(close - opening)
    noise = close * 0.0002
    high = _paise(np.maximum(opening, close) + body * 0.5 * wick[0] + noise * wick[1])
    low = _paise(np.minimum(opening, close) - body * 0.5 * wick[1] - noise * wick[0])
    zeros = np.zeros(n, dtype=np.int64)
    return MinuteBars(day, path.session.open, _paise(opening), high, low, _paise(close), zeros, zeros)


def _paise(values: FloatArray) -> FloatArray:
    return np.asarray(np.round(values, 2), dtype=np.float64)


def contract_bars(market: Market, contract: Contract, day: date) -> MinuteBars:
    snapshot = market.contract_day(contract, day)
    side = snapshot.call if contract.is_call else snapshot.put
    close = side.ltp[:, 0]
    opening = np.concatenate((close[:1], close[:-1]))
    n = close.size
    wick = market.wick(contract.underlying.code * 10 + (1 if contract.is_call else 2), day, 2 * n)
    up = np.floor(3.0 * wick[:n]) * TICK
    down = np.floor(3.0 * wick[n:]) * TICK
    high = round_to_tick(np.maximum(opening, close) + up)
    low = np.maximum(round_to_tick(np.minimum(opening, close) - down), TICK)
    cumulative = side.volume[:, 0]
    volume = np.diff(cumulative, prepend=0).astype(np.int64)
    return MinuteBars(
        day,
        market.day_path(contract.underlying, day).session.open,
        opening,
        high,
        low,
        close,
        volume,
        side.oi[:, 0],
    )


def _rows(stamps: list[datetime], bars: MinuteBars, starts: IntArray) -> list[CandleRow]:
    """Group consecutive bars beginning at `starts` (indices, ascending) into candles, oldest first."""
    ends = np.append(starts[1:], bars.close.size) - 1
    opens = bars.open[starts]
    highs = np.maximum.reduceat(bars.high, starts)
    lows = np.minimum.reduceat(bars.low, starts)
    closes = bars.close[ends]
    volumes = np.add.reduceat(bars.volume, starts)
    ois = bars.oi[ends]
    return [
        [stamp.isoformat(), o, h, lo, c, v, oi]
        for stamp, o, h, lo, c, v, oi in zip(
            stamps,
            opens.tolist(),
            highs.tolist(),
            lows.tolist(),
            closes.tolist(),
            volumes.tolist(),
            ois.tolist(),
            strict=True,
        )
    ]


def _concat(days: list[MinuteBars]) -> MinuteBars:
    return MinuteBars(
        days[0].day,
        days[0].open_at,
        np.concatenate([d.open for d in days]),
        np.concatenate([d.high for d in days]),
        np.concatenate([d.low for d in days]),
        np.concatenate([d.close for d in days]),
        np.concatenate([d.volume for d in days]),
        np.concatenate([d.oi for d in days]),
    )


def candles(sessions: Iterable[MinuteBars], unit: str, interval: int) -> list[CandleRow]:
    """Upstox's candle rows, newest first, from sessions given oldest first."""
    days = [bars for bars in sessions if bars.close.size]
    rows: list[CandleRow] = []
    if not days:
        return rows
    if unit in ("minutes", "hours"):
        width = interval * (60 if unit == "hours" else 1)
        for bars in days:
            starts = np.arange(0, bars.close.size, width)
            stamps = [bars.open_at + timedelta(minutes=int(i)) for i in starts]
            rows.extend(_rows(stamps, bars, starts))
    else:
        # One bar per session first, then group sessions by day, ISO week or month.
        def period(day: date) -> date:
            if unit == "weeks":
                return day - timedelta(days=day.weekday())
            if unit == "months":
                return day.replace(day=1)
            return day

        labels: list[date] = []
        starts_list: list[int] = []
        offset = 0
        for bars in days:
            label = period(bars.day)
            if not labels or labels[-1] != label:
                labels.append(label)
                starts_list.append(offset)
            offset += bars.close.size
        stamps = [datetime.combine(label, time(0, 0), tzinfo=IST) for label in labels]
        rows = _rows(stamps, _concat(days), np.array(starts_list, dtype=np.int64))
    rows.reverse()
    return rows
