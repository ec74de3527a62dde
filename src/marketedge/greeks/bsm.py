"""Black-Scholes-Merton: European options on a spot S paying a continuous yield q, with a flat rate r."""

import math
from functools import partial
from typing import overload

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtr

from marketedge.greeks.arrays import (
    FloatArray,
    Inputs,
    blank_invalid,
    blockwise,
    blockwise_many,
    call_put_sign,
)
from marketedge.greeks.black76 import DAYS_PER_YEAR, MAX_SIGMA, black_implied_volatility, black_price
from marketedge.greeks.result import Greeks

_SQRT_2PI = math.sqrt(2.0 * math.pi)


@overload
def price(S: float, K: float, t: float, r: float, q: float, sigma: float, is_call: bool) -> float: ...
@overload
def price(
    S: ArrayLike, K: ArrayLike, t: ArrayLike, r: ArrayLike, q: ArrayLike, sigma: ArrayLike, is_call: ArrayLike
) -> FloatArray: ...
def price(
    S: ArrayLike, K: ArrayLike, t: ArrayLike, r: ArrayLike, q: ArrayLike, sigma: ArrayLike, is_call: ArrayLike
) -> float | FloatArray:
    """Black-Scholes-Merton price: the Black-76 price with F = S exp((r - q) t) and D = exp(-r t).

    S spot (> 0), K strike (> 0), t years of 365 days to expiry (>= 0), r and q continuously compounded rate and
    yield (fractions a year), sigma volatility (a fraction, >= 0), is_call True for a call, False for a put.
    At t = 0 or sigma = 0 the price is the discounted intrinsic value of the forward. NaN for any non-finite
    argument or one outside those ranges. Arguments broadcast like a ufunc; scalars in, a float out.

    Hull, Options, Futures and Other Derivatives, example 15.6:

    >>> round(price(42, 40, 0.5, 0.10, 0.0, 0.20, True), 2), round(price(42, 40, 0.5, 0.10, 0.0, 0.20, False), 2)
    (4.76, 0.81)
    >>> price([42, 42], 40, 0.5, 0.10, 0.0, 0.20, [True, False]).round(4)
    array([4.7594, 0.8086])
    """
    inputs = Inputs((S, K, t, r, q, sigma), is_call)
    return inputs.finish(blockwise(_price, *inputs.arrays, call_put_sign(inputs.is_call)))


@overload
def implied_volatility(
    price: float,
    S: float,
    K: float,
    t: float,
    r: float,
    q: float,
    is_call: bool,
    *,
    max_sigma: float = MAX_SIGMA,
) -> float: ...
@overload
def implied_volatility(
    price: ArrayLike,
    S: ArrayLike,
    K: ArrayLike,
    t: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    is_call: ArrayLike,
    *,
    max_sigma: float = MAX_SIGMA,
) -> FloatArray: ...
def implied_volatility(
    price: ArrayLike,
    S: ArrayLike,
    K: ArrayLike,
    t: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    is_call: ArrayLike,
    *,
    max_sigma: float = MAX_SIGMA,
) -> float | FloatArray:
    """The sigma (a fraction) at which `price(S, K, t, r, q, sigma, is_call)` equals `price`.

    NaN, never an exception, for each element where no volatility reproduces the price: at or below the
    discounted intrinsic value max(w (S e^-qt - K e^-rt), 0) (so also a zero or negative price), at or above the
    upper bound (S e^-qt for a call, K e^-rt for a put), t <= 0, S or K <= 0, any argument not finite, or an
    answer above `max_sigma` (default 10, i.e. 1000 % a year). Accurate to 1e-9 or better wherever vega is at
    least 0.01 a volatility point; see docs/greeks.md.

    >>> round(implied_volatility(4.76, 42, 40, 0.5, 0.10, 0.0, True), 3)
    0.2
    >>> implied_volatility([0.81, -1.0, 40.0], 42, 40, 0.5, 0.10, 0.0, False)  # negative; above K e^-rt
    array([0.2001..., nan, nan])
    """
    inputs = Inputs((price, S, K, t, r, q), is_call)
    solve = partial(_implied_volatility, max_sigma=max_sigma)
    return inputs.finish(blockwise(solve, *inputs.arrays, call_put_sign(inputs.is_call)))


@overload
def greeks(
    S: float, K: float, t: float, r: float, q: float, sigma: float, is_call: bool
) -> Greeks[float]: ...
@overload
def greeks(
    S: ArrayLike, K: ArrayLike, t: ArrayLike, r: ArrayLike, q: ArrayLike, sigma: ArrayLike, is_call: ArrayLike
) -> Greeks[FloatArray]: ...
def greeks(
    S: ArrayLike, K: ArrayLike, t: ArrayLike, r: ArrayLike, q: ArrayLike, sigma: ArrayLike, is_call: ArrayLike
) -> Greeks[float] | Greeks[FloatArray]:
    """Closed-form Black-Scholes-Merton greeks, in the units of `Greeks`.

    delta = w e^-qt N(w d1), gamma = e^-qt phi(d1) / (S sigma sqrt t), per 1 point of spot;
    theta = [-S e^-qt phi(d1) sigma / (2 sqrt t) - w r K e^-rt N(w d2) + w q S e^-qt N(w d1)] / 365 per
    calendar day (S, r, q, sigma held fixed as the day passes); vega = S e^-qt phi(d1) sqrt(t) / 100 per
    volatility point; rho = w K t e^-rt N(w d2) / 100 per rate point (q held fixed).

    NaN where t <= 0 or sigma <= 0 (the derivatives of a kink), and where `price` is NaN.

    Hull, Options, Futures and Other Derivatives, examples 19.1-19.6 (S = 49, K = 50, r = 5 %, sigma = 20 %,
    20 weeks): delta 0.522, gamma 0.066, theta -4.31 a year, vega 12.1 and rho 8.91 per unit.

    >>> g = greeks(49, 50, 0.3846, 0.05, 0.0, 0.20, True)
    >>> round(g.delta, 3), round(g.gamma, 3), round(g.theta * 365, 2), round(g.vega * 100, 1), round(g.rho * 100, 2)
    (0.522, 0.066, -4.31, 12.1, 8.91)
    """
    inputs = Inputs((S, K, t, r, q, sigma), is_call)
    values = blockwise_many(_greeks, *inputs.arrays, call_put_sign(inputs.is_call))
    return Greeks(*(inputs.finish(value) for value in values))


def _price(
    S: FloatArray,
    K: FloatArray,
    t: FloatArray,
    r: FloatArray,
    q: FloatArray,
    sigma: FloatArray,
    w: FloatArray,
) -> FloatArray:
    with np.errstate(all="ignore"):
        F, D = _forward_and_discount(S, t, r, q)
    return black_price(F, K, t, D, sigma, w)


def _implied_volatility(
    price: FloatArray,
    S: FloatArray,
    K: FloatArray,
    t: FloatArray,
    r: FloatArray,
    q: FloatArray,
    w: FloatArray,
    *,
    max_sigma: float,
) -> FloatArray:
    with np.errstate(all="ignore"):
        F, D = _forward_and_discount(S, t, r, q)
    return black_implied_volatility(price, F, K, t, D, w, max_sigma=max_sigma)


def _greeks(
    S: FloatArray,
    K: FloatArray,
    t: FloatArray,
    r: FloatArray,
    q: FloatArray,
    sigma: FloatArray,
    w: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    with np.errstate(all="ignore"):
        valid = (
            np.isfinite(S)
            & np.isfinite(K)
            & np.isfinite(t)
            & np.isfinite(r)
            & np.isfinite(q)
            & np.isfinite(sigma)
            & (S > 0.0)
            & (K > 0.0)
            & (t > 0.0)
            & (sigma > 0.0)
        )
        sqrt_t = np.sqrt(t)
        s = sigma * sqrt_t
        d1 = (np.log(S / K) + (r - q) * t) / s + 0.5 * s
        d2 = d1 - s
        yield_discount = np.exp(-q * t)
        S_q = S * yield_discount
        K_r = K * np.exp(-r * t)
        n_d1 = np.exp(-0.5 * d1 * d1) / _SQRT_2PI
        N_d1 = ndtr(w * d1)
        N_d2 = ndtr(w * d2)
        delta = w * yield_discount * N_d1
        gamma = yield_discount * n_d1 / (S * s)
        vega = S_q * n_d1 * sqrt_t
        theta = (-0.5 * vega * sigma / t - w * r * K_r * N_d2 + w * q * S_q * N_d1) / DAYS_PER_YEAR
        rho = w * K_r * t * N_d2 / 100.0
        vega /= 100.0
    blank_invalid(valid, delta, gamma, theta, vega, rho)
    return delta, gamma, theta, vega, rho


def _forward_and_discount(
    S: FloatArray, t: FloatArray, r: FloatArray, q: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """F = S exp((r - q) t) and D = exp(-r t); a non-finite r or q makes F or D non-finite, hence NaN later."""
    return S * np.exp((r - q) * t), np.exp(-r * t)
