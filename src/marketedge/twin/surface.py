"""The implied-volatility surface: an ATM level with term structure, put skew and a smile, vectorised over strikes.

    sigma(K, t) = atm(t) · (1 − skew · z + smile · z²),   z = ln(K / F) / (atm(t) · √t)

z is the strike's distance from the forward in standard deviations, so the wings steepen as expiry nears
(weekly far-OTM options carry the high IVs seen on real chains). atm(t) rises gently with maturity (an upward
term structure, as in calm markets) and is lifted on the last day, when the remaining hours are few and the
market pays for gap risk.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

SKEW = 0.055  # puts richer: IV falls by 5.5 % of ATM per standard deviation of strike above the forward
SMILE = 0.014  # both wings rise with the square of the distance
Z_LIMIT = 9.0  # beyond this many standard deviations the wings are flat
MIN_YEARS = 0.25 / 365.0  # the surface is evaluated at no less than six hours to expiry
ONE_MONTH = 30.0 / 365.0


def atm_term(atm: ArrayLike, t: ArrayLike) -> FloatArray:
    """The ATM volatility for a maturity of t years, given the day's ATM level (quoted for one month)."""
    tau = np.maximum(np.asarray(t, dtype=np.float64), MIN_YEARS)
    slope = np.clip(0.06 * (np.sqrt(tau / ONE_MONTH) - 1.0), -0.05, 0.08)
    last_day = 0.18 * np.exp(-tau * 365.0 / 0.6)
    return np.asarray(atm, dtype=np.float64) * (1.0 + slope + last_day)


def implied_volatility(forward: ArrayLike, strike: ArrayLike, t: ArrayLike, atm: ArrayLike) -> FloatArray:
    """Sigma (a fraction) for each strike, broadcasting forward, strike, t and the day's ATM level."""
    tau = np.maximum(np.asarray(t, dtype=np.float64), MIN_YEARS)
    level = atm_term(atm, tau)
    z = np.log(np.asarray(strike, dtype=np.float64) / np.asarray(forward, dtype=np.float64))
    z = np.clip(z / (level * np.sqrt(tau)), -Z_LIMIT, Z_LIMIT)
    return np.asarray(level * (1.0 - SKEW * z + SMILE * z * z), dtype=np.float64)
