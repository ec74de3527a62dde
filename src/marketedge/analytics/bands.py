"""Delta-band aggregation of a day frame: per minute, per side (CE, PE) and net, the band's greek sums.

Definitions (docs/greeks-tracker.md): a call is in the band when delta_min <= delta <= delta_max, a put when
delta_min <= |delta| <= delta_max. `dynamic` re-selects strikes every minute; `fixed` keeps the strikes that
were in the band at the baseline minute. Sums are of the values as delivered (put delta and theta negative).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from marketedge.chain.frames import FIELD_INDEX, DayFrame

SUMMED = ("delta", "gamma", "theta", "vega", "oi", "volume")
METRICS = (*SUMMED, "iv_mean", "iv_oi_weighted", "strikes")
SIDES = ("ce", "pe", "net")


class Selection(StrEnum):
    dynamic = "dynamic"
    fixed = "fixed"


@dataclass(frozen=True, slots=True)
class BandLevels:
    """levels[side][metric] is an array over the frame's minutes (NaN where nothing qualifies)."""

    levels: dict[str, dict[str, NDArray[np.float64]]]


def band_membership(
    frame: DayFrame, delta_min: float, delta_max: float, selection: Selection, baseline_index: int
) -> NDArray[np.bool_]:
    """(minutes, 2, strikes): which strikes of each side count at each minute."""
    return _membership(frame, 0, delta_min, delta_max, selection, baseline_index)


def _membership(
    frame: DayFrame, start: int, delta_min: float, delta_max: float, selection: Selection, baseline_index: int
) -> NDArray[np.bool_]:
    """band_membership for the minutes from `start` on."""
    delta = frame.values[start:, FIELD_INDEX["delta"]]  # (M, 2, K)
    listed = np.isfinite(delta)
    if selection is Selection.fixed and len(frame):
        delta = frame.values[baseline_index, FIELD_INDEX["delta"]][None, :, :]
    magnitude = np.abs(delta)
    with np.errstate(invalid="ignore"):
        inside = (magnitude >= delta_min) & (magnitude <= delta_max) & np.isfinite(delta)
    return inside & listed


_BAND_FIELDS = (*SUMMED, "iv")


def _band_inputs(frame: DayFrame, start: int) -> NDArray[np.float64]:
    """(M, F, 2, K) of the fields a band sums, NaN as 0, and (last) IV × OI: computed once per minute."""
    picked = frame.values[start:, [FIELD_INDEX[name] for name in _BAND_FIELDS]]
    filled = np.nan_to_num(picked, nan=0.0, posinf=0.0, neginf=0.0)
    iv, oi = filled[:, -1], filled[:, SUMMED.index("oi")]
    has_iv = (iv > 0).astype(np.float64)
    iv_oi = iv * np.where(oi > 0, oi, 0.0)
    oi_w = np.where(iv > 0, np.where(oi > 0, oi, 0.0), 0.0)
    return np.concatenate([filled, has_iv[:, None], iv_oi[:, None], oi_w[:, None]], axis=1)


# The columns of a band's table: every metric of calls, puts and net.
_COLUMNS = [(side, metric) for side in SIDES for metric in METRICS]
_COLUMN = {name: i for i, name in enumerate(_COLUMNS)}


def band_levels(
    frame: DayFrame, delta_min: float, delta_max: float, selection: Selection, baseline_index: int
) -> BandLevels:
    """The band's levels over the frame's minutes. A minute's levels depend on that minute (and, for a fixed
    band, on the baseline minute) alone, so they are kept with the day's rows and each new minute adds one row:
    the live event and the answers of a band after a stored minute compute that minute only."""
    b = baseline_index if selection is Selection.fixed else -1
    table = frame.rowwise(
        f"band:{delta_min!r}:{delta_max!r}:{selection.value}:{b}",
        lambda f, start: _band_table(f, start, delta_min, delta_max, selection, baseline_index),
    )
    levels: dict[str, dict[str, NDArray[np.float64]]] = {side: {} for side in SIDES}
    for (side, metric), i in _COLUMN.items():
        levels[side][metric] = table[:, i]
    return BandLevels(levels)


def _band_table(
    frame: DayFrame, start: int, delta_min: float, delta_max: float, selection: Selection, baseline_index: int
) -> NDArray[np.float64]:
    """(minutes from `start`, columns): the band's every metric per side."""
    member = _membership(frame, start, delta_min, delta_max, selection, baseline_index)
    inputs = frame.rowwise("band_inputs", _band_inputs)[start:]  # (M, F + 4, 2, K)
    # One pass over the minutes: every field's sum inside the band, per minute and side.
    sums = np.einsum("mfsk,msk->mfs", inputs, member.astype(np.float64), optimize=True)
    table = np.empty((sums.shape[0], len(_COLUMNS)))

    def put(side: str, metric: str, values: NDArray[np.float64]) -> None:
        table[:, _COLUMN[(side, metric)]] = values

    for f, name in enumerate(SUMMED):
        put("ce", name, sums[:, f, 0])
        put("pe", name, sums[:, f, 1])
        put("net", name, sums[:, f, 0] + sums[:, f, 1])
    count = member.sum(axis=2).astype(np.float64)  # (M, 2)
    put("ce", "strikes", count[:, 0])
    put("pe", "strikes", count[:, 1])
    put("net", "strikes", count.sum(axis=1))
    n = len(_BAND_FIELDS)
    iv_sum, iv_n, iv_oi, oi_w = sums[:, n - 1], sums[:, n], sums[:, n + 1], sums[:, n + 2]  # each (M, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        for i, side in enumerate(("ce", "pe")):
            put(side, "iv_mean", np.where(iv_n[:, i] > 0, iv_sum[:, i] / iv_n[:, i], np.nan))
            put(side, "iv_oi_weighted", np.where(oi_w[:, i] > 0, iv_oi[:, i] / oi_w[:, i], np.nan))
        n_all, oi_all = iv_n.sum(axis=1), oi_w.sum(axis=1)
        put("net", "iv_mean", np.where(n_all > 0, iv_sum.sum(axis=1) / n_all, np.nan))
        put("net", "iv_oi_weighted", np.where(oi_all > 0, iv_oi.sum(axis=1) / oi_all, np.nan))
    # A stored minute whose band is empty sums to zero (strikes = 0 says why); only missing minutes are null.
    return table
