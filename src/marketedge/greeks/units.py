"""Implied-volatility units: fractions (0.142) inside the engine, percent (14.2) where a source sends them."""

from typing import Literal, overload

import numpy as np
from numpy.typing import ArrayLike

from marketedge.greeks.arrays import FloatArray, Inputs

# A median IV above 3 is read as percent: as a fraction it would be a median of 300 % a year, as percent a
# median of 3 % — both absurd for index options, so the rule has a wide margin on either side.
PERCENT_THRESHOLD = 3.0


@overload
def iv_from_percent(values: float) -> float: ...
@overload
def iv_from_percent(values: ArrayLike) -> FloatArray: ...
def iv_from_percent(values: ArrayLike) -> float | FloatArray:
    """Percent (14.2) to a fraction (0.142).

    >>> iv_from_percent(14.2)
    0.142
    """
    inputs = Inputs((values,))
    return inputs.finish(inputs.arrays[0] / 100.0)


@overload
def iv_to_percent(values: float) -> float: ...
@overload
def iv_to_percent(values: ArrayLike) -> FloatArray: ...
def iv_to_percent(values: ArrayLike) -> float | FloatArray:
    """A fraction (0.142) to percent (14.2).

    >>> iv_to_percent(0.142)
    14.2
    """
    inputs = Inputs((values,))
    return inputs.finish(inputs.arrays[0] * 100.0)


def iv_unit(values: ArrayLike) -> Literal["percent", "fraction"] | None:
    """Which unit a batch of IVs from ONE source is in, by the median of its positive finite values.

    "percent" if that median is above PERCENT_THRESHOLD (3), else "fraction"; None if there is no positive
    finite value to judge by.

    >>> iv_unit([14.2, 15.0, 0.0, 31.7]), iv_unit([0.142, 0.15, float("nan")]), iv_unit([0.0])
    ('percent', 'fraction', None)
    """
    array = np.asarray(values, dtype=np.float64)
    usable = array[np.isfinite(array) & (array > 0.0)]
    if usable.size == 0:
        return None
    return "percent" if float(np.median(usable)) > PERCENT_THRESHOLD else "fraction"


@overload
def normalise_iv(values: float) -> float: ...
@overload
def normalise_iv(values: ArrayLike) -> FloatArray: ...
def normalise_iv(values: ArrayLike) -> float | FloatArray:
    """IVs from one source as fractions, whichever unit the source used (see iv_unit for the rule).

    Upstox's option chain sends percent (14.2), its v3 greeks endpoint a fraction (0.142), and neither unit is
    documented, so pass each source's batch separately: the rule judges the whole batch, never one value.
    Values that are not positive and finite become NaN (Upstox sends 0 where it has no IV).

    >>> normalise_iv([14.2, 15.0, 0.0]).tolist(), normalise_iv([0.142, 0.15]).tolist()
    ([0.142, 0.15, nan], [0.142, 0.15])
    """
    inputs = Inputs((values,))
    array = inputs.arrays[0]
    cleaned = np.where(np.isfinite(array) & (array > 0.0), array, np.nan)
    if iv_unit(array) == "percent":
        cleaned = cleaned / 100.0
    return inputs.finish(cleaned)
