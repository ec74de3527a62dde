"""Black-76: European options on a forward F, discounted with a discount factor D to expiry."""

import math
from functools import partial
from typing import overload

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtr

from marketedge.greeks.arrays import (
    BoolArray,
    FloatArray,
    Inputs,
    blank_invalid,
    blockwise,
    blockwise_many,
    call_put_sign,
)
from marketedge.greeks.implied_vol import implied_total_volatility
from marketedge.greeks.result import Greeks

DAYS_PER_YEAR = 365.0
# An implied volatility above 1000 % a year is a bad quote, not a market; callers can widen it.
MAX_SIGMA = 10.0
_SQRT_2PI = math.sqrt(2.0 * math.pi)


@overload
def black76_price(F: float, K: float, t: float, D: float, sigma: float, is_call: bool) -> float: ...
@overload
def black76_price(
    F: ArrayLike, K: ArrayLike, t: ArrayLike, D: ArrayLike, sigma: ArrayLike, is_call: ArrayLike
) -> FloatArray: ...
def black76_price(
    F: ArrayLike, K: ArrayLike, t: ArrayLike, D: ArrayLike, sigma: ArrayLike, is_call: ArrayLike
) -> float | FloatArray:
    """Black-76 price D [w F N(w d1) - w K N(w d2)], w = +1 for a call and -1 for a put.

    F forward (> 0), K strike (> 0), t years of 365 days to expiry (>= 0), D discount factor to expiry (> 0),
    sigma volatility as a fraction (>= 0). At t = 0 or sigma = 0 the price is D max(w (F - K), 0). NaN for any
    non-finite argument or one outside those ranges.

    Hull, Options, Futures and Other Derivatives: a 4-month European put on crude oil futures at 20, strike 20,
    r = 9 %, sigma = 25 % is worth 1.12.

    >>> round(black76_price(20, 20, 4 / 12, math.exp(-0.09 * 4 / 12), 0.25, False), 2)
    1.12
    """
    inputs = Inputs((F, K, t, D, sigma), is_call)
    return inputs.finish(blockwise(black_price, *inputs.arrays, call_put_sign(inputs.is_call)))


@overload
def black76_implied_volatility(
    price: float, F: float, K: float, t: float, D: float, is_call: bool, *, max_sigma: float = MAX_SIGMA
) -> float: ...
@overload
def black76_implied_volatility(
    price: ArrayLike,
    F: ArrayLike,
    K: ArrayLike,
    t: ArrayLike,
    D: ArrayLike,
    is_call: ArrayLike,
    *,
    max_sigma: float = MAX_SIGMA,
) -> FloatArray: ...
def black76_implied_volatility(
    price: ArrayLike,
    F: ArrayLike,
    K: ArrayLike,
    t: ArrayLike,
    D: ArrayLike,
    is_call: ArrayLike,
    *,
    max_sigma: float = MAX_SIGMA,
) -> float | FloatArray:
    """The sigma (a fraction) at which black76_price gives `price`; NaN where no volatility does.

    NaN where: price <= D max(w (F - K), 0) (at or below intrinsic, including a zero or negative price),
    price >= the upper bound (D F for a call, D K for a put), t <= 0, F, K or D <= 0, any argument not finite, or
    the answer above `max_sigma`. Never raises for a bad element; the good elements beside it are unaffected.

    >>> D = math.exp(-0.09 * 4 / 12)
    >>> round(black76_implied_volatility(black76_price(20, 20, 4 / 12, D, 0.25, False), 20, 20, 4 / 12, D, False), 12)
    0.25
    >>> black76_implied_volatility([1.12, 0.0, 25.0], 20, 20, 4 / 12, D, False)  # below intrinsic, above D K
    array([0.2507..., nan, nan])
    """
    inputs = Inputs((price, F, K, t, D), is_call)
    solve = partial(black_implied_volatility, max_sigma=max_sigma)
    return inputs.finish(blockwise(solve, *inputs.arrays, call_put_sign(inputs.is_call)))


@overload
def black76_greeks(F: float, K: float, t: float, D: float, sigma: float, is_call: bool) -> Greeks[float]: ...
@overload
def black76_greeks(
    F: ArrayLike, K: ArrayLike, t: ArrayLike, D: ArrayLike, sigma: ArrayLike, is_call: ArrayLike
) -> Greeks[FloatArray]: ...
def black76_greeks(
    F: ArrayLike, K: ArrayLike, t: ArrayLike, D: ArrayLike, sigma: ArrayLike, is_call: ArrayLike
) -> Greeks[float] | Greeks[FloatArray]:
    """Black-76 greeks, with the forward F as the underlying.

    delta = w D N(w d1) and gamma = D phi(d1) / (F sigma sqrt t) are per 1 point of the FORWARD. For delta per
    point of spot when F = S exp((r - q) t), multiply by F / S (and gamma by (F / S)^2).
    theta (per calendar day) holds F fixed and the rate r = -ln(D) / t constant as a day passes:
    (r V - D F phi(d1) sigma / (2 sqrt t)) / 365.
    vega per volatility point: D F phi(d1) sqrt(t) / 100.
    rho per rate point, F held fixed (only the discounting moves): -t V / 100.

    NaN where t <= 0 or sigma <= 0 (the derivatives of a kink), and where black76_price is NaN.

    >>> g = black76_greeks(20, 20, 4 / 12, math.exp(-0.09 * 4 / 12), 0.25, False)
    >>> round(g.delta, 4), round(g.gamma, 4), round(g.vega, 4)
    (-0.4573, 0.1338, 0.0446)
    """
    inputs = Inputs((F, K, t, D, sigma), is_call)
    values = blockwise_many(_black_greeks, *inputs.arrays, call_put_sign(inputs.is_call))
    return Greeks(*(inputs.finish(value) for value in values))


def _black_greeks(
    F: FloatArray, K: FloatArray, t: FloatArray, D: FloatArray, sigma: FloatArray, w: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    with np.errstate(all="ignore"):
        valid = _valid(F, K, t, D, sigma) & (t > 0.0) & (sigma > 0.0)
        sqrt_t = np.sqrt(t)
        s = sigma * sqrt_t
        d1 = np.log(F / K) / s + 0.5 * s
        d2 = d1 - s
        n_d1 = np.exp(-0.5 * d1 * d1) / _SQRT_2PI
        N_d1 = ndtr(w * d1)
        value = w * D * (F * N_d1 - K * ndtr(w * d2))
        r = -np.log(D) / t
        delta = w * D * N_d1
        gamma = D * n_d1 / (F * s)
        vega = D * F * n_d1 * sqrt_t
        theta = (r * value - 0.5 * vega * sigma / t) / DAYS_PER_YEAR
        rho = -t * value / 100.0
        vega /= 100.0
    blank_invalid(valid, delta, gamma, theta, vega, rho)
    return delta, gamma, theta, vega, rho


def black_price(
    F: FloatArray, K: FloatArray, t: FloatArray, D: FloatArray, sigma: FloatArray, w: FloatArray
) -> FloatArray:
    """Black-76 prices of flat arrays (w = +1 call, -1 put): intrinsic value plus out-of-the-money time value.

    Writing every price as its intrinsic value plus the price of the out-of-the-money option at the same strike
    (put-call parity) keeps parity exact and prices never below intrinsic, and is the very split that
    implied_total_volatility inverts.
    """
    with np.errstate(all="ignore"):
        valid = _valid(F, K, t, D, sigma) & (t >= 0.0) & (sigma >= 0.0)
        s = sigma * np.sqrt(t)
        s_safe = np.where(s > 0.0, s, 1.0)
        d1 = np.log(F / K) / s_safe + 0.5 * s_safe
        d2 = d1 - s_safe
        u = np.where(F > K, -1.0, 1.0)  # the out-of-the-money side: put above the forward, call below
        time_value = np.where(s > 0.0, np.maximum(u * (F * ndtr(u * d1) - K * ndtr(u * d2)), 0.0), 0.0)
        value = D * (np.maximum(w * (F - K), 0.0) + time_value)
    blank_invalid(valid, value)
    return value


def black_implied_volatility(
    price: FloatArray,
    F: FloatArray,
    K: FloatArray,
    t: FloatArray,
    D: FloatArray,
    w: FloatArray,
    *,
    max_sigma: float,
) -> FloatArray:
    """Implied volatilities of flat arrays; the NaN contract of black76_implied_volatility."""
    with np.errstate(all="ignore"):
        valid = _valid(F, K, t, D, price) & (t > 0.0)
        time_value = (price / D - np.maximum(w * (F - K), 0.0)) / np.sqrt(F * K)
        x = np.log(F / K)
        blank_invalid(valid, time_value)
        sigma = implied_total_volatility(time_value, x) / np.sqrt(t)
        blank_invalid(sigma <= max_sigma, sigma)
    return sigma


def _valid(F: FloatArray, K: FloatArray, t: FloatArray, D: FloatArray, *others: FloatArray) -> BoolArray:
    """Everything finite, F, K and D positive (the callers add their own conditions on t, sigma, price)."""
    ok = np.isfinite(F) & np.isfinite(K) & np.isfinite(t) & np.isfinite(D) & (F > 0.0) & (K > 0.0) & (D > 0.0)
    for array in others:
        ok &= np.isfinite(array)
    return ok
