"""The forward and discount factor implied by put-call parity on one option chain."""

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

DEFAULT_STRIKES = 6


@dataclass(frozen=True, slots=True)
class ImpliedForward:
    """What one chain says about its expiry: F, D = exp(-rate t), and how many strikes said it."""

    forward: float
    discount_factor: float
    rate: float
    strikes_used: int


def implied_forward(
    strikes: ArrayLike,
    call_prices: ArrayLike,
    put_prices: ArrayLike,
    t: float,
    r: float | None = None,
    *,
    n_strikes: int = DEFAULT_STRIKES,
) -> ImpliedForward:
    """Forward F (and discount factor D) of one expiry from put-call parity C - P = D (F - K).

    Uses the `n_strikes` strikes with the smallest |C - P| — the ones nearest the forward, where both options
    trade and parity is tightest — ignoring rows with a NaN or non-positive strike or a missing price.

    * r given (a continuously compounded rate): D = exp(-r t) and F = median of K + (C - P) / D.
    * r None: D is the negative slope of C - P against K, fitted robustly (Theil-Sen: the median of the slopes
      between every pair of those strikes), then F = median of K + (C - P) / D. Near the money C - P is small,
      so F hardly depends on D; D itself is poorly determined by a short expiry (an error of 1e-3 in D is 5
      rate points at one week), so pass r when you know it and only F matters.

    t is in years of 365 days (used for D when r is given, and for the rate reported back). NaN (and
    strikes_used 0 or 1) when too few usable strikes remain (one with r, two distinct without) or the fitted D
    is not positive.

    >>> K = np.array([23900.0, 23950.0, 24000.0, 24050.0, 24100.0])
    >>> D = 0.995
    >>> fit = implied_forward(K, D * np.maximum(24010.0 - K, 0) + 40.0, D * np.maximum(K - 24010.0, 0) + 40.0, 0.05)
    >>> round(fit.forward, 6), round(fit.discount_factor, 6), fit.strikes_used
    (24010.0, 0.995, 5)
    """
    K, C, P = np.broadcast_arrays(
        np.asarray(strikes, dtype=np.float64),
        np.asarray(call_prices, dtype=np.float64),
        np.asarray(put_prices, dtype=np.float64),
    )
    if K.ndim != 1:
        raise ValueError(f"implied_forward takes one chain (1-D arrays), got shape {K.shape}")
    if n_strikes < 1:
        raise ValueError("n_strikes must be at least 1")
    parity = C - P
    usable = np.isfinite(K) & (K > 0.0) & np.isfinite(parity)
    nearest = np.argsort(np.where(usable, np.abs(parity), np.inf), kind="stable")[:n_strikes]
    nearest = nearest[usable[nearest]]
    K_near, parity_near = K[nearest], parity[nearest]

    if r is not None:
        discount = math.exp(-r * t)
    else:
        first, second = np.triu_indices(K_near.size, 1)
        spread = K_near[second] - K_near[first]
        distinct = spread != 0.0
        if not distinct.any():
            return _nothing(K_near.size)
        slopes = (parity_near[second] - parity_near[first])[distinct] / spread[distinct]
        discount = -float(np.median(slopes))
    if K_near.size == 0 or not (math.isfinite(discount) and discount > 0.0):
        return _nothing(K_near.size)

    forward = float(np.median(K_near + parity_near / discount))
    rate = -math.log(discount) / t if t > 0.0 else math.nan
    return ImpliedForward(forward=forward, discount_factor=discount, rate=rate, strikes_used=int(K_near.size))


def _nothing(strikes_used: int) -> ImpliedForward:
    return ImpliedForward(
        forward=math.nan, discount_factor=math.nan, rate=math.nan, strikes_used=strikes_used
    )
