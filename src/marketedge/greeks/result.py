"""The Greeks result type shared by the Black-Scholes-Merton and Black-76 models."""

from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

ValueT = TypeVar("ValueT", float, NDArray[np.float64])


@dataclass(frozen=True, slots=True)
class Greeks(Generic[ValueT]):
    """First-order sensitivities and gamma of an option, in trader's units.

    delta: price change per 1 point of the underlying (spot for BSM, forward for Black-76).
    gamma: change of delta per 1 point of the same underlying.
    theta: price change per calendar day that passes (annual rate / 365); usually negative.
    vega:  price change per 1 volatility point (sigma + 0.01).
    rho:   price change per 1 rate point (r + 0.01).

    Python floats when every argument was a scalar, otherwise arrays of the broadcast shape.
    """

    delta: ValueT
    gamma: ValueT
    theta: ValueT
    vega: ValueT
    rho: ValueT
