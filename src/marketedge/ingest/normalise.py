"""Upstox's option chain → one ChainMinute: IV to one unit, nulls kept, Upstox's greeks checked against ours.

The engine prices every strike with Black-76 on the forward implied by put-call parity (what a careful desk
does for index options instead of guessing r and q), from the bid/ask mid where both sides quote, else the last
price. Upstox's greeks stay as delivered where they are sane; where they are missing, zero or absurd the
engine's fill them and the row is flagged GreeksSource.engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from marketedge import greeks as engine
from marketedge.calendar import years_to_expiry
from marketedge.frames import CE, FIELD_INDEX, FIELDS, PE, ChainMinute, GreeksSource
from marketedge.upstox.schemas import ChainRow

MAX_SANE_IV = 2.0  # 200 %: above this an index option's IV is a data error, not a market
DELTA_TOLERANCE = 0.15  # Upstox's delta may differ from ours by a model; more than this is not a model
_MARKET = ("ltp", "bid_price", "ask_price", "volume", "oi", "prev_oi")
_OUR_FIELDS = ("ltp", "bid", "ask", "volume", "oi", "prev_oi")


@dataclass(frozen=True, slots=True)
class NormaliseReport:
    strikes: int
    filled: int  # option rows whose greeks came from the engine
    forward: float
    discount_factor: float


def normalise_chain(
    rows: Sequence[ChainRow], minute: datetime, expiry: date, rate: float
) -> tuple[ChainMinute, NormaliseReport]:
    if not rows:
        raise ValueError("empty option chain")
    strikes = np.array([r["strike_price"] for r in rows], dtype=np.float64)
    spot_values = [spot for r in rows if (spot := r.get("underlying_spot_price"))]
    if not spot_values:
        raise ValueError("the chain carries no underlying spot price")
    spot = float(np.median(spot_values))
    k = strikes.shape[0]
    values = np.full((len(FIELDS), 2, k), np.nan)
    for side_index, attr in ((CE, "call_options"), (PE, "put_options")):
        # Read by field name: the chain's TypedDicts as plain mappings.
        sides = cast(list[Mapping[str, Any] | None], [r.get(attr) for r in rows])
        for our_name, their_name in zip(_OUR_FIELDS, _MARKET, strict=True):
            values[FIELD_INDEX[our_name], side_index] = _column(sides, "market_data", their_name)
        for name in ("delta", "gamma", "theta", "vega"):
            values[FIELD_INDEX[name], side_index] = _column(sides, "option_greeks", name)
        values[FIELD_INDEX["iv"], side_index] = _column(sides, "option_greeks", "iv")
    # One unit for the whole chain (Upstox's chain sends percent; the rule decides per batch).
    iv_raw = values[FIELD_INDEX["iv"]]
    values[FIELD_INDEX["iv"]] = engine.normalise_iv(iv_raw.reshape(-1)).reshape(iv_raw.shape)

    t = years_to_expiry(minute, expiry)
    ours, forward, discount = _engine_greeks(values, strikes, spot, t, rate)
    insane = _insane(values, ours)
    source = np.full((2, k), GreeksSource.upstox, np.uint8)
    fillable = insane & np.isfinite(ours[0])  # ours[0] is our IV
    for offset, name in enumerate(("iv", "delta", "gamma", "theta", "vega")):
        field = values[FIELD_INDEX[name]]
        field[fillable] = ours[offset][fillable]
        # Left insane with nothing to fill from: a zero or absurd IV is not an IV.
        if name == "iv":
            field[insane & ~fillable] = np.nan
    source[fillable] = GreeksSource.engine
    no_price = ~np.isfinite(values[FIELD_INDEX["ltp"]]) & ~np.isfinite(values[FIELD_INDEX["delta"]])
    source[no_price] = GreeksSource.none
    chain = ChainMinute(minute=minute, spot=spot, strikes=strikes, values=values, source=source)
    return chain, NormaliseReport(k, int(fillable.sum()), forward, discount)


def engine_greeks_from_prices(
    strikes: NDArray[np.float64],
    prices: NDArray[np.float64],
    spot: float,
    t: float,
    rate: float,
) -> tuple[NDArray[np.float64], float, float]:
    """(iv, delta, gamma, theta, vega) × (2, K) from option prices (2, K) alone: the backfill's greeks."""
    values = np.full((len(FIELDS), 2, strikes.shape[0]), np.nan)
    values[FIELD_INDEX["ltp"]] = prices
    return _engine_greeks(values, strikes, spot, t, rate)


def _engine_greeks(
    values: NDArray[np.float64], strikes: NDArray[np.float64], spot: float, t: float, rate: float
) -> tuple[NDArray[np.float64], float, float]:
    """Our (iv, delta, gamma, theta, vega), each (2, K), per point of spot; NaN where no price says."""
    price = _reference_price(values)
    out = np.full((5, 2, strikes.shape[0]), np.nan)
    if t <= 0:
        return out, float("nan"), float("nan")
    fit = engine.implied_forward(strikes, price[CE], price[PE], t, rate)
    forward, discount = fit.forward, fit.discount_factor
    if not np.isfinite(forward):
        forward, discount = spot * np.exp(rate * t), float(np.exp(-rate * t))
    is_call = np.array([[True], [False]])
    sigma = engine.black76_implied_volatility(price, forward, strikes[None, :], t, discount, is_call)
    g = engine.black76_greeks(forward, strikes[None, :], t, discount, sigma, is_call)
    carry = forward / spot  # from per point of the forward to per point of spot
    out[0], out[1], out[2], out[3], out[4] = sigma, g.delta * carry, g.gamma * carry**2, g.theta, g.vega
    return out, float(forward), float(discount)


def _reference_price(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """The mid where both sides quote a sane market, else the last price."""
    bid, ask, ltp = (values[FIELD_INDEX[n]] for n in ("bid", "ask", "ltp"))
    quoted = np.isfinite(bid) & np.isfinite(ask) & (bid > 0) & (ask >= bid)
    with np.errstate(invalid="ignore"):
        tight = quoted & ((ask - bid) <= np.maximum(0.5, 0.1 * (ask + bid) / 2))
    return np.where(tight, (bid + ask) / 2, np.where(ltp > 0, ltp, np.nan))


def _insane(values: NDArray[np.float64], ours: NDArray[np.float64]) -> NDArray[np.bool_]:
    """(2, K): rows whose Upstox greeks are missing, zero or absurd."""
    iv, delta, gamma, theta, vega = (
        values[FIELD_INDEX[n]] for n in ("iv", "delta", "gamma", "theta", "vega")
    )
    call = np.array([[True], [False]])
    with np.errstate(invalid="ignore"):
        missing = ~(
            np.isfinite(iv) & np.isfinite(delta) & np.isfinite(gamma) & np.isfinite(theta) & np.isfinite(vega)
        )
        absurd = (
            (iv <= 0)
            | (iv > MAX_SANE_IV)
            | (np.abs(delta) > 1)
            | np.where(call, delta < 0, delta > 0)
            | (gamma < 0)
            | (vega < 0)
            | (np.isfinite(ours[1]) & (np.abs(delta - ours[1]) > DELTA_TOLERANCE))
        )
    return missing | absurd


def _column(sides: Sequence[Mapping[str, Any] | None], group: str, name: str) -> NDArray[np.float64]:
    out = [(s.get(group) or {}).get(name) if s is not None else None for s in sides]
    return np.array([np.nan if v is None else v for v in out], dtype=np.float64)
