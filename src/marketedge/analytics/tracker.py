"""The greeks tracker: band levels on a minute timeline, the change since the baseline and the minute change.

Missing minutes are gaps (NaN), never zeros; the first row after a gap says how many minutes its change spans.
Intervals (1, 3, 5, 15 minutes) keep the rows whose minute of the day is a multiple of the interval (09:15,
09:30, … for 15), each showing the last stored minute of its bucket, plus the latest minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from marketedge.analytics.bands import METRICS, SIDES, Selection, band_levels
from marketedge.clock import IST
from marketedge.frames import DayFrame

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
    minutes: list[datetime]  # the timeline rows
    source_minutes: list[datetime | None]  # the stored minute behind each row (None: gap)
    spot: NDArray[np.float64]
    span: NDArray[np.float64]  # minutes spanned by the row's minute change (NaN for gaps and the first row)
    baseline: datetime
    baseline_requested: datetime
    # series[side][metric] = (level, change since baseline, minute change), each over the rows
    series: dict[str, dict[str, tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]]]


def build_tracker(
    frame: DayFrame,
    query: TrackerQuery,
    baseline_at: datetime,
    start: datetime,
    end: datetime,
) -> Tracker:
    """Rows from `start` to `end` (inclusive, IST minutes). Raises NoBaseline when nothing is stored after it."""
    if query.interval not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}")
    stored = np.array([_epoch_minute(m) for m in frame.minutes], dtype=np.int64)
    baseline_candidates = np.nonzero(stored >= _epoch_minute(baseline_at))[0]
    if baseline_candidates.size == 0:
        raise NoBaseline(f"no stored minute at or after {baseline_at.astimezone(IST):%H:%M}")
    b = int(baseline_candidates[0])
    levels = band_levels(frame, query.delta_min, query.delta_max, query.selection, b)

    n = query.interval
    first, last = _epoch_minute(start), _epoch_minute(end)
    timeline = np.arange(first, last + 1, dtype=np.int64)
    keep = (timeline % n == 0) | (timeline == min(last, stored[-1] if stored.size else last))
    timeline = timeline[keep] if n > 1 else timeline
    behind = np.searchsorted(stored, timeline, side="right") - 1
    if stored.size:
        present = (behind >= 0) & (stored[np.clip(behind, 0, None)] > timeline - n)
    else:
        present = np.zeros(timeline.shape, bool)
    source = np.where(present, behind, -1)

    rows_with_data = np.nonzero(present)[0]
    previous_row = np.full(timeline.shape, -1)
    if rows_with_data.size:
        prior = np.searchsorted(rows_with_data, np.arange(timeline.size), side="left") - 1
        previous_row = np.where(prior >= 0, rows_with_data[np.clip(prior, 0, None)], -1)
    has_previous = present & (previous_row >= 0)
    prev_source = np.where(has_previous, source[np.clip(previous_row, 0, None)], 0)
    span = np.where(has_previous, (stored[source.clip(0)] - stored[prev_source]).astype(float), np.nan)

    series: dict[str, dict[str, tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]]] = {}
    for side in SIDES:
        series[side] = {}
        for metric in METRICS:
            full = levels.levels[side][metric]
            level = np.where(present, full[source.clip(0)], np.nan)
            change = level - full[b]
            minute_change = np.where(has_previous, level - full[prev_source], np.nan)
            series[side][metric] = (level, change, minute_change)

    spot = np.where(present, frame.spot[source.clip(0)] if stored.size else np.nan, np.nan)
    return Tracker(
        minutes=[_from_epoch_minute(int(m)) for m in timeline],
        source_minutes=[frame.minutes[s] if s >= 0 else None for s in source],
        spot=spot,
        span=span,
        baseline=frame.minutes[b],
        baseline_requested=baseline_at.astimezone(IST),
        series=series,
    )


def _epoch_minute(when: datetime) -> int:
    return int(when.timestamp() // 60)


def _from_epoch_minute(value: int) -> datetime:
    return datetime.fromtimestamp(int(value) * 60, IST)


def baseline_delay(tracker: Tracker) -> timedelta:
    return tracker.baseline - tracker.baseline_requested
