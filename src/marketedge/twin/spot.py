"""The simulated index levels: a seeded daily path, and each session's minutes as a bridge between its open and close.

Random access: a day's minutes depend only on (seed, underlying, date) and on two daily series computed once
per underlying for every calendar day from FIRST_DAY to LAST_DAY. A session opens at the previous session's
close moved by a small gap, wanders with a U-shaped intraday volatility (busy at the open and the close) and
ends exactly on its daily close, so consecutive days join up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy.signal import lfilter

from marketedge.chain.calendar import Session, TradingCalendar
from marketedge.twin.instruments import Underlying
from marketedge.twin.seeding import generator

FloatArray = NDArray[np.float64]

FIRST_DAY = date(2020, 1, 1)
LAST_DAY = date(2040, 12, 31)

_LEVEL_MEMORY = 0.993  # daily AR(1) coefficient of the log level around the base level
_IV_MEMORY = 0.95  # daily AR(1) coefficient of the log ATM volatility around its long-run level
_IV_NOISE = 0.06  # daily shocks to log ATM volatility
_LEVERAGE = 3.0  # a 1 % fall in the index lifts ATM volatility by about 3 % of itself
_OPEN_GAP = 0.0025  # standard deviation of the overnight gap
_REALISED_SHARE = 0.85  # realised volatility as a share of implied

# Stream labels, so each purpose draws its own numbers.
_DAILY, _GAP, _INTRADAY = 1, 2, 3


class OutOfRange(ValueError):
    """A date the simulation does not cover."""


@dataclass(frozen=True, slots=True)
class DayPath:
    """One session of one index, minute by minute (index 0 is the session's first minute)."""

    session: Session
    open: float  # the level at the opening instant, before the first minute's value
    spot: FloatArray  # the level at each minute (the last one is the day's close)
    atm_iv: FloatArray  # the ATM implied volatility at each minute, before term structure (a fraction)
    volume_share: FloatArray  # cumulative share of the day's volume traded by each minute (ends at 1)
    oi_build: FloatArray  # how far open interest has moved from yesterday's to today's close (0 → 1)
    previous_close: float  # the previous session's close (the index's close_price)

    @property
    def minute_count(self) -> int:
        return int(self.spot.size)


class IndexPaths:
    """The index levels of every underlying for one seed; every result is cached and thread-safe to share."""

    def __init__(self, seed: int, calendar: TradingCalendar) -> None:
        self.seed = seed
        self.calendar = calendar
        self._daily_cache: dict[int, tuple[FloatArray, FloatArray]] = {}
        self.day = lru_cache(maxsize=1024)(self._day)

    def _daily(self, u: Underlying) -> tuple[FloatArray, FloatArray]:
        """Log level deviation and log ATM-volatility deviation for every calendar day (AR(1) processes)."""
        found = self._daily_cache.get(u.code)
        if found is None:
            days = (LAST_DAY - FIRST_DAY).days + 1
            rng = generator(self.seed, u.code, _DAILY)
            level_shocks = rng.standard_normal(days) * (u.atm_iv * _REALISED_SHARE / math.sqrt(365.0))
            iv_shocks = rng.standard_normal(days) * _IV_NOISE - _LEVERAGE * level_shocks
            level = lfilter([1.0], [1.0, -_LEVEL_MEMORY], level_shocks)
            iv = lfilter([1.0], [1.0, -_IV_MEMORY], iv_shocks)
            found = (np.asarray(level, dtype=np.float64), np.asarray(iv, dtype=np.float64))
            self._daily_cache[u.code] = found
        return found

    def _index(self, day: date) -> int:
        if not FIRST_DAY <= day <= LAST_DAY:
            raise OutOfRange(f"the twin simulates {FIRST_DAY} to {LAST_DAY}, not {day}")
        return (day - FIRST_DAY).days

    def close(self, u: Underlying, day: date) -> float:
        """The index's closing level on a date (meaningful on trading days)."""
        level, _ = self._daily(u)
        return float(u.base_level * math.exp(level[self._index(day)]))

    def atm_level(self, u: Underlying, day: date) -> float:
        """The day's ATM implied volatility at the open (a fraction)."""
        _, iv = self._daily(u)
        return float(u.atm_iv * math.exp(iv[self._index(day)]))

    def previous_close(self, u: Underlying, day: date) -> float:
        previous = self.calendar.previous_session(day)
        return self.close(u, previous.day if previous else day)

    def _day(self, u: Underlying, day: date) -> DayPath:
        session = self.calendar.session(day)
        if session is None:
            raise OutOfRange(f"{day} is not a trading day")
        n = session.minute_count
        rng = generator(self.seed, u.code, day.toordinal(), _INTRADAY)
        previous_close = self.previous_close(u, day)
        gap = generator(self.seed, u.code, day.toordinal(), _GAP).standard_normal() * _OPEN_GAP
        opening = previous_close * math.exp(gap)
        closing = self.close(u, day)
        atm_day = self.atm_level(u, day)

        m = np.arange(n, dtype=np.float64)
        # U-shaped variance per minute: about 3.5x busier in the first minutes, 2.5x in the last ones.
        weight = 1.0 + 2.5 * np.exp(-m / 20.0) + 1.5 * np.exp(-(n - 1 - m) / 25.0)
        clock = np.cumsum(weight)
        total = clock[-1]
        walk = np.cumsum(np.sqrt(weight) * rng.standard_normal(n))
        bridge = walk - (clock / total) * walk[-1]
        day_sd = atm_day * _REALISED_SHARE / math.sqrt(252.0)
        drift = math.log(closing / opening)
        log_spot = math.log(opening) + (clock / total) * drift + bridge * (day_sd / math.sqrt(total))
        spot = np.exp(log_spot)
        spot[-1] = closing  # exactly, so tomorrow's open gaps from this very number

        iv_walk = np.cumsum(rng.standard_normal(n))
        iv_bridge = (iv_walk - (m / max(n - 1, 1)) * iv_walk[-1]) / math.sqrt(max(n, 1))
        atm_iv = (
            atm_day
            * np.exp(-_LEVERAGE * (log_spot - math.log(opening)) + 0.04 * iv_bridge)
            * (1.0 + 0.04 * np.exp(-m / 30.0))  # a little richer in the opening half hour
        )
        span = max(n - 1, 1)
        oi_build = (1.0 - np.exp(-3.0 * m / span)) / (1.0 - math.exp(-3.0))
        return DayPath(
            session=session,
            open=opening,
            spot=spot,
            atm_iv=atm_iv,
            volume_share=clock / total,
            oi_build=oi_build,
            previous_close=previous_close,
        )
