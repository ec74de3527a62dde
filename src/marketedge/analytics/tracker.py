"""The greeks tracker: band levels on a minute timeline, the change since the baseline and the minute change.

Missing minutes are gaps (NaN), never zeros; the first row after a gap says how many minutes its change spans.
Intervals (1, 3, 5, 15 minutes) keep the rows whose minute of the day is a multiple of the interval (09:15,
09:30, … for 15), each showing the last stored minute of its bucket, plus the latest minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from marketedge.analytics.bands import Selection, band_levels
from marketedge.chain.frames import DayFrame
from marketedge.core.clock import IST

INTERVALS = (1, 3, 5, 15)


class NoBaseline(ValueError):
    """No stored minute at or after the requested baseline."""


@dataclass(frozen=True, slots=True)
class TrackerQuery:
    delta_min: float = 0.05
    delta_max: float = 0.60
    selection: Selection = Selection.dynamic
    interval: int = 1


@dataclass(frozen=True, slots=True)
class Tracker:
    rows: NDArray[np.int64]  # the timeline rows, as minutes since 1970
    source_minutes: list[datetime | None]  # the stored minute behind each row (None: gap)
    spot: NDArray[np.float64]
    span: NDArray[np.float64]  # minutes spanned by the row's minute change (NaN for gaps and the first row)
    baseline: datetime
    baseline_requested: datetime
    # series[side][metric] = (level, change since baseline, minute change), each over the rows
    series: dict[str, dict[str, tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]]]

    @property
    def minutes(self) -> list[datetime]:
        return [_from_epoch_minute(int(m)) for m in self.rows]

    def iso_minutes(self) -> list[str]:
        """The rows as ISO 8601 IST instants, formatted in one vectorised pass."""
        return iso_ist(self.rows)


Levels = dict[str, dict[str, NDArray[np.float64]]]  # group (side) → metric → values over the frame's minutes


def build_tracker(
    frame: DayFrame,
    query: TrackerQuery,
    baseline_at: datetime,
    start: datetime,
    end: datetime,
) -> Tracker:
    """Band rows from `start` to `end` (inclusive, IST minutes). Raises NoBaseline when nothing is stored after
    the baseline."""
    b = baseline_index(frame, baseline_at)
    levels = band_levels(frame, query.delta_min, query.delta_max, query.selection, b).levels
    return timeline(frame, levels, b, baseline_at, start, end, query.interval)


def baseline_index(frame: DayFrame, baseline_at: datetime) -> int:
    """The first stored minute at or after the requested baseline."""
    candidates = np.nonzero(frame.epoch_minutes >= _epoch_minute(baseline_at))[0]
    if candidates.size == 0:
        raise NoBaseline(f"no stored minute at or after {baseline_at.astimezone(IST):%H:%M}")
    return int(candidates[0])


def timeline(
    frame: DayFrame,
    levels: Levels,
    b: int,
    baseline_at: datetime,
    start: datetime,
    end: datetime,
    interval: int = 1,
) -> Tracker:
    """Put per-minute levels on the minute timeline with both changes; the tracker and one strike share it."""
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}")
    stored = frame.epoch_minutes
    first, last = _epoch_minute(start), _epoch_minute(end)
    rows = np.arange(first, last + 1, dtype=np.int64)
    if interval > 1:
        rows = rows[(rows % interval == 0) | (rows == min(last, int(stored[-1])))]
    behind = np.searchsorted(stored, rows, side="right") - 1
    present = (behind >= 0) & (stored[np.clip(behind, 0, None)] > rows - interval)
    source = np.where(present, behind, -1)
    with_data = np.nonzero(present)[0]
    prior = np.searchsorted(with_data, np.arange(rows.size), side="left") - 1
    previous_row = np.where(prior >= 0, with_data[np.clip(prior, 0, None)], -1) if with_data.size else prior
    has_previous = present & (previous_row >= 0)
    here = source.clip(0)
    before = np.where(has_previous, source[np.clip(previous_row, 0, None)], 0)
    span = np.where(has_previous, (stored[here] - stored[before]).astype(float), np.nan)

    series: dict[str, dict[str, tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]]] = {}
    for group, metrics in levels.items():
        series[group] = {}
        for metric, full in metrics.items():
            level = np.where(present, full[here], np.nan)
            series[group][metric] = (
                level,
                level - full[b],
                np.where(has_previous, level - full[before], np.nan),
            )
    return Tracker(
        rows=rows,
        source_minutes=[frame.minutes[s] if s >= 0 else None for s in source],
        spot=np.where(present, frame.spot[here], np.nan),
        span=span,
        baseline=frame.minutes[b],
        baseline_requested=baseline_at.astimezone(IST),
        series=series,
    )


def iso_ist(epoch_minutes: NDArray[np.int64]) -> list[str]:
    """Minutes since 1970 → '2026-11-25T09:15:00+05:30' strings."""
    local = (epoch_minutes + _IST_OFFSET_MINUTES).astype("datetime64[m]")
    return [text + ":00+05:30" for text in np.datetime_as_string(local, unit="m").tolist()]


_IST_OFFSET_MINUTES = 330  # IST is UTC+05:30 all year


def _epoch_minute(when: datetime) -> int:
    return int(when.timestamp() // 60)


def _from_epoch_minute(value: int) -> datetime:
    return datetime.fromtimestamp(int(value) * 60, IST)
