"""Upstox's option chain → one ChainMinute: every greek from our engine at full precision, from one IV per option.

Upstox rounds what it sends (gamma to 4 decimals, IV to 2 in percent), so a band's gamma summed from Upstox
would move in rounding steps. The IV of each option is Upstox's where it is sane and reprices the option within
the price's own uncertainty, else ours from the price; the greeks are then Black-76 on the forward implied by
put-call parity (docs/pipeline.md, "Greeks"). Upstox's own greeks are only compared with ours (GreeksCheck).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from marketedge import greeks as engine
from marketedge.chain.calendar import years_to_expiry
from marketedge.chain.frames import CE, FIELD_INDEX, FIELDS, GREEKS, PE, SIDES, ChainMinute, GreeksSource
from marketedge.upstox.schemas import ChainRow

MAX_SANE_IV = 2.0  # 200 %: above this an index option's IV is a data error, not a market
PRICE_TICK = 0.05  # the tick of NSE and BSE index options, in rupees
# An IV that reprices within two ticks (or half the spread, or 1 % of the price) agrees with the price.
CONSISTENT_TICKS = 2
CONSISTENT_SHARE = 0.01
MIN_YEARS = 60.0 / (365.0 * 24 * 3600)  # the last minute of an expiry day is priced with a minute left
_MARKET = ("ltp", "bid_price", "ask_price", "volume", "oi", "prev_oi")
_OUR_FIELDS = ("ltp", "bid", "ask", "volume", "oi", "prev_oi")
_IS_CALL = np.array([[True], [False]])


@dataclass(frozen=True, slots=True)
class Disagreement:
    """How far Upstox's value of one greek is from ours over one chain: the largest gap and where it is."""

    largest: float
    strike: float
    side: str
    median: float
    compared: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "largest": self.largest,
            "strike": self.strike,
            "side": self.side,
            "median": self.median,
            "compared": self.compared,
        }


@dataclass(frozen=True, slots=True)
class NormaliseReport:
    strikes: int
    iv_from_upstox: int  # option rows whose IV was Upstox's
    iv_from_price: int  # option rows whose IV we implied from the price
    forward: float
    discount_factor: float
    check: dict[str, Disagreement] = field(default_factory=dict)  # greek → Upstox minus ours

    @property
    def filled(self) -> int:
        """Rows whose IV Upstox did not give usably (the number the run records have always shown)."""
        return self.iv_from_price


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
    theirs = np.full((len(GREEKS), 2, k), np.nan)
    for side_index, attr in ((CE, "call_options"), (PE, "put_options")):
        # Read by field name: the chain's TypedDicts as plain mappings.
        sides = cast(list[Mapping[str, Any] | None], [r.get(attr) for r in rows])
        for our_name, their_name in zip(_OUR_FIELDS, _MARKET, strict=True):
            values[FIELD_INDEX[our_name], side_index] = _column(sides, "market_data", their_name)
        for g, name in enumerate(GREEKS):
            theirs[g, side_index] = _column(sides, "option_greeks", name)
    # One unit for the whole chain (Upstox's chain sends percent; the rule decides per batch).
    theirs[0] = engine.normalise_iv(theirs[0].reshape(-1)).reshape(theirs[0].shape)

    priced = price_chain(values, strikes, spot, years_to_expiry(minute, expiry), rate, upstox_iv=theirs[0])
    values[[FIELD_INDEX[n] for n in GREEKS]] = priced.greeks
    chain = ChainMinute(minute=minute, spot=spot, strikes=strikes, values=values, source=priced.source)
    report = NormaliseReport(
        k,
        int((priced.source == GreeksSource.upstox).sum()),
        int((priced.source == GreeksSource.engine).sum()),
        priced.forward,
        priced.discount_factor,
        compare_greeks(theirs, priced.greeks, strikes),
    )
    return chain, report


@dataclass(frozen=True, slots=True)
class PricedChain:
    greeks: NDArray[np.float64]  # (5, 2, K): iv, delta, gamma, theta, vega; delta and gamma per point of spot
    source: NDArray[np.uint8]  # (2, K): where each row's IV came from
    forward: float
    discount_factor: float


def price_chain(
    values: NDArray[np.float64],
    strikes: NDArray[np.float64],
    spot: float,
    t: float,
    rate: float,
    *,
    upstox_iv: NDArray[np.float64] | None = None,
    implied_source: GreeksSource = GreeksSource.engine,
) -> PricedChain:
    """Our greeks for a chain's market values (FIELDS × 2 × K): the one path the live chain and backfill share.

    Each option's IV is Upstox's where given, sane and consistent with the price, else implied from the price
    (marked `implied_source`); rows with neither get NaN greeks and GreeksSource.none."""
    k = strikes.shape[0]
    out = np.full((len(GREEKS), 2, k), np.nan)
    source = np.full((2, k), GreeksSource.none, np.uint8)
    t = max(t, MIN_YEARS)
    price = _reference_price(values)
    fit = engine.implied_forward(strikes, price[CE], price[PE], t, rate)
    forward, discount = fit.forward, fit.discount_factor
    if not np.isfinite(forward):
        forward, discount = spot * np.exp(rate * t), float(np.exp(-rate * t))
    K = strikes[None, :]
    ours = engine.black76_implied_volatility(price, forward, K, t, discount, _IS_CALL)
    use_theirs = np.zeros((2, k), bool)
    if upstox_iv is not None:
        use_theirs = _consistent(upstox_iv, price, values, forward, K, t, discount)
    sigma = np.where(use_theirs, upstox_iv if upstox_iv is not None else np.nan, ours)
    g = engine.black76_greeks(forward, K, t, discount, sigma, _IS_CALL)
    carry = forward / spot  # from per point of the forward to per point of spot
    out[:] = sigma, g.delta * carry, g.gamma * carry**2, g.theta, g.vega
    source[use_theirs] = GreeksSource.upstox
    source[~use_theirs & np.isfinite(ours)] = implied_source
    out[:, source == GreeksSource.none] = np.nan
    return PricedChain(out, source, float(forward), float(discount))


def _consistent(
    iv: NDArray[np.float64],
    price: NDArray[np.float64],
    values: NDArray[np.float64],
    forward: float,
    K: NDArray[np.float64],
    t: float,
    discount: float,
) -> NDArray[np.bool_]:
    """(2, K): Upstox's IV is sane and its Black-76 price is within the price's own uncertainty."""
    with np.errstate(invalid="ignore"):
        sane = np.isfinite(iv) & (iv > 0) & (iv <= MAX_SANE_IV) & np.isfinite(price)
        repriced = engine.black76_price(forward, K, t, discount, np.where(sane, iv, np.nan), _IS_CALL)
        bid, ask = values[FIELD_INDEX["bid"]], values[FIELD_INDEX["ask"]]
        half_spread = np.where(np.isfinite(bid) & np.isfinite(ask) & (ask >= bid), (ask - bid) / 2, 0.0)
        tolerance = np.maximum.reduce(
            [np.full_like(price, CONSISTENT_TICKS * PRICE_TICK), half_spread, CONSISTENT_SHARE * price]
        )
        return sane & (np.abs(repriced - price) <= tolerance)


def compare_greeks(
    theirs: NDArray[np.float64], ours: NDArray[np.float64], strikes: NDArray[np.float64]
) -> dict[str, Disagreement]:
    """Per greek, Upstox's value minus ours where both exist: the largest gap, where it is, and the median.

    Rows where Upstox gives no IV (its deep in-the-money rows: delta ±1, everything else 0) are left out: they
    say "no data", not a disagreement."""
    out: dict[str, Disagreement] = {}
    with np.errstate(invalid="ignore"):
        has_iv = np.isfinite(theirs[0]) & (theirs[0] > 0)
    for g, name in enumerate(GREEKS):
        gap = np.where(has_iv, theirs[g] - ours[g], np.nan)
        both = np.isfinite(gap)
        if not both.any():
            continue
        size = np.where(both, np.abs(gap), -1.0)
        side, column = np.unravel_index(int(np.argmax(size)), size.shape)
        out[name] = Disagreement(
            largest=float(gap[side, column]),
            strike=float(strikes[column]),
            side=SIDES[side],
            median=float(np.median(np.abs(gap[both]))),
            compared=int(both.sum()),
        )
    return out


def _reference_price(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """The mid where both sides quote a sane market, else the last price."""
    bid, ask, ltp = (values[FIELD_INDEX[n]] for n in ("bid", "ask", "ltp"))
    quoted = np.isfinite(bid) & np.isfinite(ask) & (bid > 0) & (ask >= bid)
    with np.errstate(invalid="ignore"):
        tight = quoted & ((ask - bid) <= np.maximum(0.5, 0.1 * (ask + bid) / 2))
        return np.where(tight, (bid + ask) / 2, np.where(ltp > 0, ltp, np.nan))


def _column(sides: Sequence[Mapping[str, Any] | None], group: str, name: str) -> NDArray[np.float64]:
    out = [(s.get(group) or {}).get(name) if s is not None else None for s in sides]
    return np.array([np.nan if v is None else v for v in out], dtype=np.float64)
