"""The simulated option market: prices, greeks, open interest, volume and quotes for any contract at any minute.

Everything is a pure function of (seed, underlying, expiry, strike, session date, minute), vectorised over
strikes and minutes through one code path (`Market.evaluate`), so a chain row and a 1-minute candle of the same
contract and minute agree to the paisa. Prices and greeks come from the greeks engine (Black-Scholes-Merton on
the index with a dividend yield); the surface is in `surface.py`, the index paths in `spot.py`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr

from marketedge import greeks as engine
from marketedge.chain.calendar import Session, TradingCalendar, expiry_instant
from marketedge.twin import surface
from marketedge.twin.instruments import (
    Contract,
    ExpirySchedule,
    Underlying,
    plausible_strike,
    strike_grid,
)
from marketedge.twin.seeding import hash_bits, hash_normal, hash_uniform
from marketedge.twin.spot import FIRST_DAY, LAST_DAY, DayPath, IndexPaths, OutOfRange

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

TICK = 0.05
YEAR_SECONDS = 365.0 * 24 * 3600
MIN_YEARS = 60.0 / YEAR_SECONDS  # price and greeks are taken no closer than one minute to expiry
DEEP_ITM_DELTA = 0.985
_EDGE = timedelta(days=120)  # beyond this Upstox shows delta ±1 and IV 0

# Labels of hash streams (each purpose its own numbers).
_OI, _VOLUME, _BOOK, _ILLIQUID, _WICK = range(11, 16)
# Calls and puts in one pass: a leading axis of two (calls first).
_CALL_PUT = np.array([True, False])[:, None, None]
_SIGNS = np.array([1.0, -1.0])[:, None, None]
_SIDES = np.array([1, 0])[:, None, None]


@dataclass(frozen=True, slots=True)
class Minute:
    """One minute of one session: the moment whose data a request sees."""

    session: Session
    index: int  # 0 = the session's first minute

    @property
    def at(self) -> datetime:
        return self.session.open + timedelta(minutes=self.index)


@dataclass(frozen=True, slots=True)
class Side:
    """Calls or puts over a grid of (minutes, strikes); greeks are None when they were not asked for."""

    ltp: FloatArray
    volume: IntArray
    oi: IntArray
    prev_oi: IntArray
    bid: FloatArray
    ask: FloatArray
    bid_qty: IntArray
    ask_qty: IntArray
    close_price: FloatArray | None = None
    delta: FloatArray | None = None
    gamma: FloatArray | None = None
    theta: FloatArray | None = None
    vega: FloatArray | None = None
    iv: FloatArray | None = None  # a fraction; 0 on deep-ITM rows as Upstox sends it
    pop: FloatArray | None = None  # percent


@dataclass(frozen=True, slots=True)
class _DayParts:
    """Per-contract values fixed for a session, calls and puts stacked (2, 1, N)."""

    prev_oi: FloatArray
    close_oi: FloatArray
    day_volume: FloatArray
    close_price: FloatArray
    illiquid: NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Both sides of one expiry over minutes × strikes (shapes (M, N)), with the index level per minute."""

    underlying: Underlying
    expiry: date
    strikes: FloatArray  # (N,)
    spot: FloatArray  # (M,)
    call: Side
    put: Side


def round_to_tick(values: FloatArray) -> FloatArray:
    return np.asarray(np.round(np.round(values / TICK) * TICK, 2), dtype=np.float64)


class Market:
    """The seeded market over one calendar. Results are cached per (underlying, expiry, session, minute)."""

    def __init__(
        self, seed: int, calendar: TradingCalendar, *, rate: float = 0.065, quirks: bool = True
    ) -> None:
        self.seed = seed
        self.calendar = calendar
        self.rate = rate
        self.quirks = quirks
        self.paths = IndexPaths(seed, calendar)
        self.schedule = ExpirySchedule(calendar)
        self.chain = lru_cache(maxsize=128)(self._chain)
        self.day_parts = lru_cache(maxsize=1024)(self._day_parts)
        self._listed = lru_cache(maxsize=256)(self.schedule.listed)

    # --- time -------------------------------------------------------------------------------------------

    def minute_at(self, now: datetime) -> Minute | None:
        """The minute whose data is visible at `now`: the current minute in a session, else the last close.

        None outside the simulated years (with room for the listed expiries and the previous session)."""
        latest = self.calendar.latest_expected_minute(now)
        if latest is None or not FIRST_DAY + _EDGE <= latest.date() <= LAST_DAY - _EDGE:
            return None
        session = self.calendar.session(latest.date())
        if session is None:
            return None
        return Minute(session, int((latest - session.open).total_seconds() // 60))

    def listed_expiries(self, u: Underlying, today: date) -> list[date]:
        return list(self._listed(u, today))

    def strikes(self, u: Underlying, expiry: date, day: date) -> FloatArray:
        """The strikes listed for an expiry during one session (a grid around the previous close)."""
        return strike_grid(u, self.paths.previous_close(u, day), (expiry - day).days)

    def is_tradable(self, contract: Contract, today: date) -> bool:
        """Whether a decoded contract key names a contract that exists today."""
        u = contract.underlying
        try:
            reference = self.paths.previous_close(u, today)
        except OutOfRange:
            return False
        return (
            contract.expiry >= today
            and self.schedule.is_expiry(u, contract.expiry)
            and plausible_strike(u, contract.strike, reference)
        )

    def existed(self, contract: Contract) -> bool:
        """Whether a decoded key names a real expiry and a plausible strike (for history)."""
        u = contract.underlying
        try:
            reference = self.paths.close(u, contract.expiry)
        except OutOfRange:
            return False
        return self.schedule.is_expiry(u, contract.expiry) and plausible_strike(u, contract.strike, reference)

    # --- the model --------------------------------------------------------------------------------------

    def _chain(self, u: Underlying, expiry: date, day: date, minute: int) -> Snapshot:
        strikes = self.strikes(u, expiry, day)
        return self.evaluate(u, expiry, day, np.array([minute]), strikes, with_greeks=True)

    def evaluate(
        self,
        u: Underlying,
        expiry: date,
        day: date,
        minutes: IntArray,
        strikes: FloatArray,
        *,
        with_greeks: bool = False,
    ) -> Snapshot:
        """Calls and puts of one expiry at the given minutes of one session and the given strikes.

        Shapes: minutes (M,), strikes (N,) → every array of the answer (M, N). One code path serves the chain
        (M = 1), a single quote (M = N = 1) and a day of candles (N = 1), so they always agree. Calls and
        puts are computed together on a leading axis of two.
        """
        path = self.paths.day(u, day)
        strikes = np.ascontiguousarray(strikes, dtype=np.float64)
        m = np.asarray(minutes, dtype=np.int64)[:, None]
        K = strikes[None, :]
        S = path.spot[m]
        t = self._years_left(path.session, expiry, m)
        ltp, sigma, F = self._prices(u, S, K, t, path.atm_iv[m])
        fixed = self.day_parts(u, expiry, day, strikes.tobytes())
        lot = u.lot_size
        oi = np.round((fixed.prev_oi + (fixed.close_oi - fixed.prev_oi) * path.oi_build[m]) / lot) * lot
        volume = np.floor(fixed.day_volume * path.volume_share[m] / lot) * lot
        bid, ask, bid_qty, ask_qty = self._book(u, expiry, day, m, K, ltp, fixed.illiquid)
        shape = ltp.shape
        columns: dict[str, NDArray[np.generic]] = {
            "ltp": ltp,
            "volume": volume.astype(np.int64),
            "oi": oi.astype(np.int64),
            "prev_oi": np.broadcast_to(fixed.prev_oi, shape).astype(np.int64),
            "bid": bid,
            "ask": ask,
            "bid_qty": bid_qty,
            "ask_qty": ask_qty,
            "close_price": np.broadcast_to(fixed.close_price, shape),
        }
        if with_greeks:
            columns.update(self._greeks(u, S, K, t, sigma, F, fixed.illiquid, expiry, day))
        call = Side(**{name: values[0] for name, values in columns.items()})
        put = Side(**{name: values[1] for name, values in columns.items()})
        return Snapshot(u, expiry, strikes, path.spot[m[:, 0]], call, put)

    def _day_parts(self, u: Underlying, expiry: date, day: date, strikes: bytes) -> _DayParts:
        """What a session fixes for each contract whatever the minute: OI ends, volume, the previous close.

        Arrays of shape (2, 1, N): calls then puts."""
        K = np.frombuffer(strikes, dtype=np.float64)[None, :]
        close_price = self._previous_close_prices(u, expiry, day, K)
        illiquid = self._illiquid(u, expiry, day, K)
        prev_oi, close_oi, day_volume = [], [], []
        for is_call in (True, False):
            prev, close = self._oi_ends(u, expiry, day, K, is_call)
            prev_oi.append(prev)
            close_oi.append(close)
            day_volume.append(self._day_volume(u, expiry, day, K, is_call, prev, close))
        return _DayParts(
            prev_oi=np.stack(prev_oi),
            close_oi=np.stack(close_oi),
            day_volume=np.where(illiquid, 0.0, np.stack(day_volume)),
            close_price=close_price,
            illiquid=illiquid,
        )

    def _years_left(self, session: Session, expiry: date, m: IntArray) -> FloatArray:
        at_open = (expiry_instant(expiry) - session.open).total_seconds() / YEAR_SECONDS
        return np.asarray(at_open - m * 60.0 / YEAR_SECONDS, dtype=np.float64)

    def _prices(
        self, u: Underlying, S: FloatArray, K: FloatArray, t: FloatArray, atm: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(call and put prices stacked (2, M, N) on the tick, sigma (M, N), forward (M, 1))."""
        t_eff = np.maximum(t, MIN_YEARS)
        F = S * np.exp((self.rate - u.dividend_yield) * t_eff)
        sigma = surface.implied_volatility(F, K, t_eff, atm)
        both = engine.price(S, K, t_eff, self.rate, u.dividend_yield, sigma, _CALL_PUT)
        return np.maximum(round_to_tick(both), TICK), sigma, F

    def _previous_close_prices(self, u: Underlying, expiry: date, day: date, K: FloatArray) -> FloatArray:
        """Each contract's last price in the previous session, calls and puts (2, 1, N); 0 when none."""
        previous = self.calendar.previous_session(day)
        zero = np.zeros((2, *K.shape))
        if previous is None or previous.day > expiry:
            return zero
        try:
            path = self.paths.day(u, previous.day)
        except OutOfRange:
            return zero
        last = np.array([[path.minute_count - 1]])
        t = self._years_left(previous, expiry, last)
        return self._prices(u, path.spot[last], K, t, path.atm_iv[last])[0]

    def _close_oi(self, u: Underlying, expiry: date, day: date, K: FloatArray, is_call: bool) -> FloatArray:
        """Open interest at a session's close: near the money and at round strikes, building towards expiry."""
        days_left = (expiry - day).days
        if days_left < 0:
            return np.zeros_like(K)
        S = self.paths.close(u, day)
        t = max(days_left, 1) / 365.0
        sd = self.paths.atm_level(u, day) * math.sqrt(t)
        x = np.log(K / S) / sd
        centre = 0.6 if is_call else -0.6  # writers sell out of the money: calls above, puts below
        weight = np.exp(-0.5 * ((x - centre) / 1.4) ** 2)
        index = np.round(K / u.strike_step).astype(np.int64)
        roundness = 1.0 + 1.0 * (index % 20 == 0) + 0.6 * (index % 10 == 0) + 0.5 * (index % 2 == 0)
        life = 0.12 + 0.88 * math.exp(-days_left / 8.0)
        key = (self.seed, _OI, u.code, expiry.toordinal(), int(is_call))
        noise = np.exp(0.25 * hash_normal(key, index) + 0.08 * hash_normal((*key, day.toordinal()), index))
        return np.asarray(u.peak_oi * life * weight * roundness / 3.1 * noise, dtype=np.float64)

    def _oi_ends(
        self, u: Underlying, expiry: date, day: date, K: FloatArray, is_call: bool
    ) -> tuple[FloatArray, FloatArray]:
        """(yesterday's close OI, today's close OI), rounded to lots; OI moves between them through the day."""
        lot = u.lot_size
        close = np.round(self._close_oi(u, expiry, day, K, is_call) / lot) * lot
        previous = self.calendar.previous_session(day)
        if previous is None:
            return np.zeros_like(close), close
        try:
            prev = np.round(self._close_oi(u, expiry, previous.day, K, is_call) / lot) * lot
        except OutOfRange:
            prev = np.zeros_like(close)
        return prev, close

    def _day_volume(
        self,
        u: Underlying,
        expiry: date,
        day: date,
        K: FloatArray,
        is_call: bool,
        prev_oi: FloatArray,
        close_oi: FloatArray,
    ) -> FloatArray:
        days_left = max((expiry - day).days, 0)
        turnover = 0.8 + 12.0 * math.exp(-days_left / 1.5)  # expiry-week contracts turn over many times a day
        index = np.round(K / u.strike_step).astype(np.int64)
        key = (self.seed, _VOLUME, u.code, expiry.toordinal(), int(is_call), day.toordinal())
        noise = np.exp(0.3 * hash_normal(key, index))
        return np.asarray(turnover * 0.5 * (prev_oi + close_oi) * noise, dtype=np.float64)

    def _book(
        self,
        u: Underlying,
        expiry: date,
        day: date,
        m: IntArray,
        K: FloatArray,
        ltp: FloatArray,
        dead: NDArray[np.bool_],
    ) -> tuple[FloatArray, FloatArray, IntArray, IntArray]:
        """Best bid and ask a tick or more either side of the last price (wider for dear options)."""
        index = np.round(K / u.strike_step).astype(np.int64)
        bits = hash_bits((self.seed, _BOOK, u.code, expiry.toordinal(), day.toordinal()), _SIDES, index, m)
        half = 1.0 + np.floor(ltp * 0.0004 / TICK)
        bid_ticks = half + (bits & np.uint64(1)).astype(np.float64)
        ask_ticks = half + ((bits >> np.uint64(1)) & np.uint64(1)).astype(np.float64)
        bid = np.where(dead, 0.0, np.maximum(round_to_tick(ltp - bid_ticks * TICK), 0.0))
        ask = round_to_tick(ltp + ask_ticks * TICK)
        lots_bid = 1 + ((bits >> np.uint64(8)) % np.uint64(40)).astype(np.int64)
        lots_ask = 1 + ((bits >> np.uint64(16)) % np.uint64(40)).astype(np.int64)
        bid_qty = np.where(dead, 0, lots_bid * u.lot_size).astype(np.int64)
        ask_qty = (lots_ask * u.lot_size).astype(np.int64)
        return bid, ask, bid_qty, ask_qty

    def _illiquid(self, u: Underlying, expiry: date, day: date, K: FloatArray) -> NDArray[np.bool_]:
        """The one far out-of-the-money contract (on about half the days) whose greeks come out absurd:
        a mask (2, 1, N), calls then puts."""
        none = np.zeros(K.shape, dtype=np.bool_)
        if not self.quirks:
            return np.stack([none, none])
        pick = hash_uniform((self.seed, _ILLIQUID, u.code, expiry.toordinal(), day.toordinal()), np.arange(3))
        if pick[0] >= 0.5:
            return np.stack([none, none])
        grid = self.strikes(u, expiry, day)
        far = max(len(grid) // 8, 1)  # the outermost eighth of the strikes on that side
        is_put = bool(pick[1] < 0.6)
        candidates = grid[:far] if is_put else grid[-far:]
        chosen = candidates[int(pick[2] * len(candidates))]
        hit = np.isclose(K, chosen)
        return np.stack([none, hit] if is_put else [hit, none])

    def _greeks(
        self,
        u: Underlying,
        S: FloatArray,
        K: FloatArray,
        t: FloatArray,
        sigma: FloatArray,
        F: FloatArray,
        illiquid: NDArray[np.bool_],
        expiry: date,
        day: date,
    ) -> dict[str, FloatArray]:
        """delta, gamma, theta, vega, iv (a fraction) and pop (percent), calls and puts stacked (2, M, N)."""
        t_eff = np.maximum(t, MIN_YEARS)
        g = engine.greeks(S, K, t_eff, self.rate, u.dividend_yield, sigma, _CALL_PUT)
        delta, gamma, theta, vega = g.delta, g.gamma, g.theta, g.vega
        iv = np.broadcast_to(sigma, delta.shape)
        s = sigma * np.sqrt(t_eff)
        d2 = np.log(F / K) / s - 0.5 * s
        pop = 100.0 * ndtr(_SIGNS * d2)
        if self.quirks:
            # Upstox's deep-ITM rows: delta exactly ±1, IV and the other greeks 0.
            deep = np.abs(delta) >= DEEP_ITM_DELTA
            delta = np.where(deep, _SIGNS, delta)
            gamma = np.where(deep, 0.0, gamma)
            theta = np.where(deep, 0.0, theta)
            vega = np.where(deep, 0.0, vega)
            iv = np.where(deep, 0.0, iv)
            # And the odd illiquid row with greeks nobody could trade on (IV ~2-3, theta ~ -400 to -500).
            if illiquid.any():
                wild = float(
                    hash_uniform((self.seed, _ILLIQUID, u.code, expiry.toordinal(), day.toordinal(), 9))
                )
                iv = np.where(illiquid, 2.0 + wild, iv)
                theta = np.where(illiquid, -(400.0 + 100.0 * wild), theta)
        return {
            "delta": np.asarray(delta, dtype=np.float64),
            "gamma": np.asarray(gamma, dtype=np.float64),
            "theta": np.asarray(theta, dtype=np.float64),
            "vega": np.asarray(vega, dtype=np.float64),
            "iv": np.asarray(iv, dtype=np.float64),
            "pop": np.asarray(pop, dtype=np.float64),
        }

    # --- the index and single contracts -----------------------------------------------------------------

    def index_level(self, u: Underlying, minute: Minute) -> float:
        return float(self.paths.day(u, minute.session.day).spot[minute.index])

    def index_previous_close(self, u: Underlying, minute: Minute) -> float:
        return self.paths.day(u, minute.session.day).previous_close

    def contract_at(self, contract: Contract, minute: Minute) -> tuple[Side, int]:
        """The contract's side of its chain at a minute, and its strike's position in that side's arrays."""
        u = contract.underlying
        snapshot = self.chain(u, contract.expiry, minute.session.day, minute.index)
        position = int(np.searchsorted(snapshot.strikes, contract.strike))
        if position < len(snapshot.strikes) and snapshot.strikes[position] == contract.strike:
            return (snapshot.call if contract.is_call else snapshot.put), position
        # A plausible strike outside today's listed range: value it on its own.
        alone = self.evaluate(
            u,
            contract.expiry,
            minute.session.day,
            np.array([minute.index]),
            np.array([contract.strike]),
            with_greeks=True,
        )
        return (alone.call if contract.is_call else alone.put), 0

    def day_path(self, u: Underlying, day: date) -> DayPath:
        return self.paths.day(u, day)

    def contract_day(self, contract: Contract, day: date) -> Snapshot:
        """Every minute of one session for one contract (N = 1), for candles."""
        path = self.paths.day(contract.underlying, day)
        minutes = np.arange(path.minute_count)
        return self.evaluate(contract.underlying, contract.expiry, day, minutes, np.array([contract.strike]))

    def wick(self, label: int, day: date, size: int) -> FloatArray:
        """Uniform numbers for candle highs and lows (deterministic per day and purpose)."""
        return hash_uniform((self.seed, _WICK, label, day.toordinal()), np.arange(size))
