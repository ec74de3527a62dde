"""Implied volatility in normalised Black terms: a two-sided initial guess polished by Householder steps.

Every quote is inverted as one function, the normalised Black price of an out-of-the-money call (Jäckel,
"Let's be rational", 2015), so a deep in-the-money option's time value is never lost in the rounding of its
intrinsic value. Split at that function's inflection, each side solves an objective close to linear from a
starting point exact at the inflection; fourth-order steps stop once a step is small, with no evaluation
spent to confirm it (docs/greeks.md, "Implied volatility" and "The normalised Black price").
"""

import math

import numpy as np
from scipy.special import erfcx, erfinv, ndtr

from marketedge.greeks.arrays import FloatArray

_SQRT_2PI = math.sqrt(2.0 * math.pi)
_SQRT_8 = math.sqrt(8.0)
_LN_2 = math.log(2.0)
# Relative Householder step below which the element counts as solved (docs/greeks.md, "Implied volatility").
_STEP_TOLERANCE = 1e-3
# Enough for bisection alone (~60 halvings); Householder from our starting points needs only a few.
_MAX_ITERATIONS = 64
# Beyond this total volatility exp(x/2) - b underflows: the price is indistinguishable from its upper bound.
_MAX_TOTAL_VOLATILITY = 100.0


def implied_total_volatility(time_value: FloatArray, x: FloatArray) -> FloatArray:
    """Total volatility s > 0 with b(-|x|, s) = time_value, elementwise; NaN where there is none.

    time_value is the option's price less its intrinsic value, undiscounted and divided by sqrt(F K): by
    put-call parity that is the normalised price of the out-of-the-money option at the same strike. NaN where it
    is not positive, not below its upper bound exp(-|x|/2), or not finite, or where s would exceed 100.
    """
    with np.errstate(all="ignore"):
        a = np.abs(x)
        upper_bound = np.exp(-0.5 * a)
        solvable = np.isfinite(time_value) & np.isfinite(a) & (time_value > 0.0) & (time_value < upper_bound)
        s = np.full(time_value.shape, np.nan)
        if solvable.any():
            s[solvable] = _solve_out_of_the_money(time_value[solvable], a[solvable], upper_bound[solvable])
    return s


def _bachelier_table() -> tuple[float, float, FloatArray, FloatArray]:
    """ln y against ln m(y), m(y) = phi(y)/y - N(-y), on a uniform grid of ln m (for O(1) lookup)."""
    # A dense, uneven sample of the curve, then Newton in ln y to the exact inverse at uniform ln m.
    y = np.concatenate([np.geomspace(1e-12, 0.5, 400, endpoint=False), np.linspace(0.5, 45.0, 4000)])
    ln_m_sample = _ln_bachelier_m(y)
    first, step = -900.0, 0.125
    ln_m = first + step * np.arange(int((30.0 - first) / step) + 1)
    ln_y = np.interp(ln_m, ln_m_sample[::-1], np.log(y)[::-1])
    for _ in range(4):
        y_k = np.exp(ln_y)
        # d ln m / d ln y = y m'(y) / m(y) = -phi(y) / (y m(y))
        slope = -np.exp(-0.5 * y_k * y_k - _ln_bachelier_m(y_k)) / (_SQRT_2PI * y_k)
        ln_y = ln_y - (_ln_bachelier_m(y_k) - ln_m) / slope
    return first, step, ln_y, np.diff(ln_y, append=ln_y[-1])


def _ln_bachelier_m(y: FloatArray) -> FloatArray:
    # phi(y) (1/y - Mills ratio), written with erfcx so that nothing underflows for large y.
    return (
        -0.5 * y * y
        - math.log(_SQRT_2PI)
        + np.log(1.0 / y - math.sqrt(0.5 * math.pi) * erfcx(y / math.sqrt(2)))
    )


_TABLE_FIRST, _TABLE_STEP, _TABLE_LN_Y, _TABLE_SLOPE = _bachelier_table()


def _bachelier_ln_y(ln_v: FloatArray) -> FloatArray:
    """ln y with m(y) = v, by linear interpolation in the table (clamped at its ends)."""
    position = np.clip((ln_v - _TABLE_FIRST) / _TABLE_STEP, 0.0, _TABLE_LN_Y.size - 1.0)
    index = position.astype(np.intp)
    return _TABLE_LN_Y[index] + (position - index) * _TABLE_SLOPE[index]


def _solve_out_of_the_money(beta: FloatArray, a: FloatArray, bound: FloatArray) -> FloatArray:
    """s with b(-a, s) = beta for 0 < beta < bound = exp(-a/2), a >= 0."""
    x = -a
    s_c = np.sqrt(2.0 * a)
    b_c = 0.5 * bound - ndtr(-s_c) / bound
    lower = beta < b_c

    # Objective f = -side (ln g(s) - target), increasing in s, with g = b below s_c and exp(x/2) - b above.
    side = np.where(lower, -1.0, 1.0)
    target = np.log(np.where(lower, beta, bound - beta))

    s = np.empty_like(beta)
    low = np.flatnonzero(lower)
    high = np.flatnonzero(~lower)
    s[low] = _lower_guess(target[low], a[low], s_c[low], b_c[low])
    s[high] = _upper_guess(beta[high], bound[high], s_c[high], b_c[high])
    lo = np.where(lower, 0.0, s_c)
    hi = np.where(lower, s_c, np.inf)

    active = np.arange(beta.size)
    for _ in range(_MAX_ITERATIONS):
        if active.size == 0:
            break
        s_k, x_k, e_k, side_k = s[active], x[active], bound[active], side[active]
        lo_k, hi_k = lo[active], hi[active]
        d1 = x_k / s_k + 0.5 * s_k
        d2 = d1 - s_k
        # below s_c: b = e N(d1) - N(d2)/e;  above: exp(x/2) - b = e N(-d1) + N(d2)/e  (no cancellation)
        g = e_k * ndtr(-side_k * d1) + side_k * ndtr(d2) / e_k
        f = -side_k * (np.log(g) - target[active])
        # b underflowing or lost to rounding below s_c means s is too small.
        f = np.where(np.isnan(f), -np.inf, f)
        # Derivatives: b' = exp(-(x^2/s^2 + s^2/4)/2)/sqrt(2 pi), b''/b' = q1, b'''/b' = q2; nu = b'/g = f'.
        x2 = x_k * x_k
        nu = np.exp(-0.5 * (x2 / (s_k * s_k) + 0.25 * s_k * s_k)) / (_SQRT_2PI * g)
        q1 = x2 / s_k**3 - 0.25 * s_k
        q2 = q1 * q1 - 3.0 * x2 / s_k**4 - 0.25
        h2 = q1 + side_k * nu  # f'' / f'
        h3 = q2 + 3.0 * side_k * nu * q1 + 2.0 * nu * nu  # f''' / f'
        newton = -f / nu
        step = newton * (1.0 + 0.5 * h2 * newton) / (1.0 + newton * (h2 + h3 * newton / 6.0))

        lo_k = np.where(f < 0.0, s_k, lo_k)
        hi_k = np.where(f > 0.0, s_k, hi_k)
        candidate = s_k + step
        converged = np.abs(step) <= _STEP_TOLERANCE * s_k
        inside = (candidate > lo_k) & (candidate < hi_k)
        bisection = np.where(np.isfinite(hi_k), 0.5 * (lo_k + hi_k), 2.0 * s_k)
        s_next = np.where(converged, np.clip(candidate, lo_k, hi_k), np.where(inside, candidate, bisection))

        s[active], lo[active], hi[active] = s_next, lo_k, hi_k
        done = converged | (f == 0.0) | (hi_k - lo_k <= 4e-16 * s_k) | (lo_k >= _MAX_TOTAL_VOLATILITY)
        active = active[~done]
    return np.where(s < _MAX_TOTAL_VOLATILITY, s, np.nan)


def _lower_guess(ln_beta: FloatArray, a: FloatArray, s_c: FloatArray, b_c: FloatArray) -> FloatArray:
    ln_a = np.log(a)
    s_b = a * np.exp(-_bachelier_ln_y(ln_beta - ln_a))
    # The same guess made at b_c is off from s_c by a known factor, sqrt(2/a) y_c; apply that factor, faded
    # as (s/s_c)^2 towards s = 0 where the guess becomes exact.
    ln_factor = _bachelier_ln_y(np.log(b_c) - ln_a) + 0.5 * (_LN_2 - ln_a)
    return np.minimum(s_b * np.exp(ln_factor * (s_b * s_b / (2.0 * a))), s_c)


def _upper_guess(beta: FloatArray, bound: FloatArray, s_c: FloatArray, b_c: FloatArray) -> FloatArray:
    # sinh(a/2) and cosh(a/2) from bound = exp(-a/2); the subtraction loses digits only where a guess
    # does not need them.
    sinh = 0.5 * (1.0 / bound - bound)
    cosh = 0.5 * (1.0 / bound + bound)
    s_u = _SQRT_8 * erfinv(np.minimum((beta + sinh) / cosh, 1.0))
    at_inflection = _SQRT_8 * erfinv((b_c + sinh) / cosh)
    ratio = np.divide(s_c, at_inflection, out=np.ones_like(s_c), where=s_c > 0.0)
    correction = ratio ** ((s_c / s_u) ** 2)
    return np.clip(s_u * correction, s_c, _MAX_TOTAL_VOLATILITY)
