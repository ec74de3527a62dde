"""Vectorised option maths: prices, implied volatility, greeks, and the forward from put-call parity.

Pure numpy (and scipy.special); imports nothing else of the app. Every function broadcasts its arguments like
a numpy ufunc: scalars in, a Python float out; arrays in, arrays out. Units: t in years of 365 days; rates,
yields and volatilities as fractions; delta and gamma per 1 point of the underlying; theta per calendar day;
vega per volatility point (0.01); rho per rate point (0.01). NaN, never an exception, where the maths has no
answer for an element. docs/greeks.md has the methods, accuracy and benchmark.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from marketedge.greeks.black76 import (
        DAYS_PER_YEAR,
        MAX_SIGMA,
        black76_greeks,
        black76_implied_volatility,
        black76_price,
    )
    from marketedge.greeks.bsm import greeks, implied_volatility, price
    from marketedge.greeks.forward import ImpliedForward, implied_forward
    from marketedge.greeks.result import Greeks
    from marketedge.greeks.units import (
        PERCENT_THRESHOLD,
        iv_from_percent,
        iv_to_percent,
        iv_unit,
        normalise_iv,
    )

# Each name's module, imported when the name is first used: the engine (and scipy under it) is not part of a
# cold start that only serves stored data (docs/deploy.md, "Waking up").
_HOME = {
    "DAYS_PER_YEAR": "black76",
    "MAX_SIGMA": "black76",
    "black76_greeks": "black76",
    "black76_implied_volatility": "black76",
    "black76_price": "black76",
    "greeks": "bsm",
    "implied_volatility": "bsm",
    "price": "bsm",
    "ImpliedForward": "forward",
    "implied_forward": "forward",
    "Greeks": "result",
    "PERCENT_THRESHOLD": "units",
    "iv_from_percent": "units",
    "iv_to_percent": "units",
    "iv_unit": "units",
    "normalise_iv": "units",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "DAYS_PER_YEAR",
    "MAX_SIGMA",
    "PERCENT_THRESHOLD",
    "Greeks",
    "ImpliedForward",
    "black76_greeks",
    "black76_implied_volatility",
    "black76_price",
    "greeks",
    "implied_forward",
    "implied_volatility",
    "iv_from_percent",
    "iv_to_percent",
    "iv_unit",
    "normalise_iv",
    "price",
]
