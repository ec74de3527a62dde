"""Plain factory functions for test data."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from scipy.special import ndtr

from marketedge.chain.frames import FIELD_INDEX, FIELDS, ChainMinute, GreeksSource


def make_chain(
    minute: datetime,
    spot: float = 26000.0,
    strikes: np.ndarray | None = None,
    sigma: float = 0.13,
    t: float = 5 / 365,
    seed: int = 0,
) -> ChainMinute:
    """A plausible option chain (Black-Scholes, r = q = 0) with Upstox-like rounding."""
    rng = np.random.default_rng(seed)
    strikes = np.arange(24000.0, 28001.0, 50.0) if strikes is None else np.asarray(strikes, float)
    k = strikes.shape[0]
    root_t = np.sqrt(t)
    d1 = (np.log(spot / strikes) + 0.5 * sigma**2 * t) / (sigma * root_t)
    d2 = d1 - sigma * root_t
    pdf = np.exp(-0.5 * d1**2) / np.sqrt(2 * np.pi)
    call = spot * ndtr(d1) - strikes * ndtr(d2)
    put = call - spot + strikes
    values = np.full((len(FIELDS), 2, k), np.nan)
    for side, premium, delta in ((0, call, ndtr(d1)), (1, put, ndtr(d1) - 1)):
        premium = np.maximum(np.round(premium / 0.05) * 0.05, 0.05)
        values[FIELD_INDEX["ltp"], side] = premium
        values[FIELD_INDEX["bid"], side] = np.maximum(premium - 0.05, 0.0)
        values[FIELD_INDEX["ask"], side] = premium + 0.05
        oi = np.round(rng.lognormal(12, 1, k) / 65) * 65
        values[FIELD_INDEX["volume"], side] = np.round(oi * rng.uniform(0.5, 3, k))
        values[FIELD_INDEX["oi"], side] = oi
        values[FIELD_INDEX["prev_oi"], side] = np.round(oi * 0.9)
        values[FIELD_INDEX["iv"], side] = sigma
        values[FIELD_INDEX["delta"], side] = np.round(delta, 4)
        values[FIELD_INDEX["gamma"], side] = np.round(pdf / (spot * sigma * root_t), 6)
        values[FIELD_INDEX["theta"], side] = np.round(-spot * pdf * sigma / (2 * root_t) / 365, 2)
        values[FIELD_INDEX["vega"], side] = np.round(spot * pdf * root_t / 100, 2)
    return ChainMinute(minute, spot, strikes, values, np.full((2, k), GreeksSource.upstox, np.uint8))
