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

from marketedge.frames import FIELD_INDEX, DayFrame

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
    membership: NDArray[np.bool_]  # (minutes, 2, strikes)


def band_membership(
    frame: DayFrame, delta_min: float, delta_max: float, selection: Selection, baseline_index: int
) -> NDArray[np.bool_]:
    """(minutes, 2, strikes): which strikes of each side count at each minute."""
    delta = frame.values[:, FIELD_INDEX["delta"]]  # (M, 2, K)
    magnitude = np.abs(delta)
    with np.errstate(invalid="ignore"):
        inside = (magnitude >= delta_min) & (magnitude <= delta_max)
    inside &= np.isfinite(delta)
    if selection is Selection.fixed and len(frame):
        listed = np.isfinite(delta)
        inside = inside[baseline_index][None, :, :] & listed
    return inside


def band_levels(
    frame: DayFrame, delta_min: float, delta_max: float, selection: Selection, baseline_index: int
) -> BandLevels:
    member = band_membership(frame, delta_min, delta_max, selection, baseline_index)
    fields = [FIELD_INDEX[name] for name in (*SUMMED, "iv")]
    picked = frame.values[:, fields]  # (M, F, 2, K): one gather for every field the band needs
    inside = member[:, None] & np.isfinite(picked)
    masked = np.where(inside, picked, 0.0)
    sums = masked.sum(axis=3)  # (M, F, 2)
    levels: dict[str, dict[str, NDArray[np.float64]]] = {"ce": {}, "pe": {}, "net": {}}
    for f, name in enumerate(SUMMED):
        levels["ce"][name], levels["pe"][name] = sums[:, f, 0], sums[:, f, 1]
        levels["net"][name] = sums[:, f, 0] + sums[:, f, 1]
    count = member.sum(axis=2).astype(np.float64)  # (M, 2)
    levels["ce"]["strikes"], levels["pe"]["strikes"] = count[:, 0], count[:, 1]
    levels["net"]["strikes"] = count.sum(axis=1)

    iv, oi = masked[:, -1], masked[:, SUMMED.index("oi")]  # (M, 2, K), zero outside the band
    has_iv = inside[:, -1] & (iv > 0)
    iv_sum = np.where(has_iv, iv, 0.0).sum(axis=2)
    iv_n = has_iv.sum(axis=2)
    weighted = has_iv & (oi > 0)
    iv_oi = np.where(weighted, iv * oi, 0.0).sum(axis=2)
    oi_w = np.where(weighted, oi, 0.0).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        for i, side in enumerate(("ce", "pe")):
            levels[side]["iv_mean"] = np.where(iv_n[:, i] > 0, iv_sum[:, i] / iv_n[:, i], np.nan)
            levels[side]["iv_oi_weighted"] = np.where(oi_w[:, i] > 0, iv_oi[:, i] / oi_w[:, i], np.nan)
        n_all, oi_all = iv_n.sum(axis=1), oi_w.sum(axis=1)
        levels["net"]["iv_mean"] = np.where(n_all > 0, iv_sum.sum(axis=1) / n_all, np.nan)
        levels["net"]["iv_oi_weighted"] = np.where(oi_all > 0, iv_oi.sum(axis=1) / oi_all, np.nan)
    # A stored minute whose band is empty sums to zero (strikes = 0 says why); only missing minutes are null.
    return BandLevels(levels, member)
