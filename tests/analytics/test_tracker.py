"""Band sums, the baseline change and the minute change over a synthetic day with a gap."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from marketedge.analytics.bands import METRICS, SUMMED, Selection, band_levels, band_membership
from marketedge.analytics.tracker import NoBaseline, TrackerQuery, build_tracker
from marketedge.chain.frames import FIELD_INDEX, DayFrame
from marketedge.core.clock import ist
from tests.factories import make_chain

OPEN = ist(2026, 11, 25, 9, 15)
GAP = {7, 8, 9}  # 09:22–09:24 never stored


@pytest.fixture(scope="module")
def frame() -> DayFrame:
    chains = [
        make_chain(
            OPEN + timedelta(minutes=i),
            spot=26000 + 15 * np.sin(i / 4) + 3 * i,
            sigma=0.13 + 0.001 * i,
            seed=i,
        )
        for i in range(30)
        if i not in GAP
    ]
    return DayFrame.from_minutes(chains)


def test_the_band_is_inclusive_and_uses_absolute_put_delta() -> None:
    chain = make_chain(OPEN, strikes=np.arange(25000.0, 25250.0, 50.0))
    delta = chain.values[FIELD_INDEX["delta"]]
    delta[0] = [0.0499, 0.05, 0.3, 0.6, 0.6001]
    delta[1] = [-0.0499, -0.05, -0.3, -0.6, -0.6001]
    member = band_membership(DayFrame.from_minutes([chain]), 0.05, 0.6, Selection.dynamic, 0)[0]
    assert member.tolist() == [[False, True, True, True, False]] * 2


def test_baseline_row_is_zero_and_changes_follow_the_definitions(frame: DayFrame) -> None:
    tracker = build_tracker(frame, TrackerQuery(0.05, 0.6), OPEN, OPEN, OPEN + timedelta(minutes=29))
    assert tracker.baseline == OPEN and len(tracker.minutes) == 30
    for side in ("ce", "pe", "net"):
        for metric in METRICS:
            level, change, minute_change = tracker.series[side][metric]
            assert change[0] == 0 or np.isnan(level[0])
            np.testing.assert_allclose(change, level - level[0], equal_nan=True)
            for i in range(1, 30):
                if i in GAP:
                    assert np.isnan(level[i]) and np.isnan(minute_change[i]), "gaps stay gaps"
                elif i - 1 in GAP:
                    assert minute_change[i] == pytest.approx(level[i] - level[6])
                else:
                    assert minute_change[i] == pytest.approx(level[i] - level[i - 1])
    assert np.isnan(tracker.span[0])
    assert tracker.span[10] == 4  # 09:25 changes against 09:21
    assert tracker.span[11] == 1
    assert tracker.source_minutes[8] is None


def test_net_is_calls_plus_puts(frame: DayFrame) -> None:
    levels = band_levels(frame, 0.05, 0.6, Selection.dynamic, 0).levels
    for metric in (*SUMMED, "strikes"):
        np.testing.assert_allclose(levels["net"][metric], levels["ce"][metric] + levels["pe"][metric])
    assert (levels["pe"]["delta"] < 0).all() and (levels["ce"]["delta"] > 0).all()
    assert (levels["pe"]["theta"] < 0).all()


def test_fixed_selection_keeps_the_baseline_strikes(frame: DayFrame) -> None:
    fixed = band_membership(frame, 0.2, 0.4, Selection.fixed, 0)
    assert (fixed == fixed[0]).all()
    dynamic = band_membership(frame, 0.2, 0.4, Selection.dynamic, 0)
    assert not (dynamic == dynamic[0]).all(), "the spot moves, so a dynamic band changes its strikes"


def test_intervals_keep_multiples_and_the_latest_minute(frame: DayFrame) -> None:
    tracker = build_tracker(frame, TrackerQuery(interval=5), OPEN, OPEN, OPEN + timedelta(minutes=28))
    assert [m.strftime("%H:%M") for m in tracker.minutes] == [
        "09:15",
        "09:20",
        "09:25",
        "09:30",
        "09:35",
        "09:40",
        "09:43",
    ]
    level, _, minute_change = tracker.series["net"]["delta"]
    assert minute_change[1] == pytest.approx(level[1] - level[0])
    assert tracker.span[1] == 5


def test_a_late_baseline_is_reported(frame: DayFrame) -> None:
    wanted = OPEN + timedelta(minutes=8)  # inside the gap: the next stored minute is 09:25
    tracker = build_tracker(frame, TrackerQuery(), wanted, OPEN, OPEN + timedelta(minutes=29))
    assert tracker.baseline == OPEN + timedelta(minutes=10)
    with pytest.raises(NoBaseline):
        build_tracker(frame, TrackerQuery(), OPEN + timedelta(hours=3), OPEN, OPEN + timedelta(minutes=29))


@pytest.mark.parametrize("selection", list(Selection))
def test_levels_kept_minute_by_minute_equal_the_levels_of_the_whole_day(selection: Selection) -> None:
    chains = [make_chain(OPEN + timedelta(minutes=i), spot=26000 + 40 * i, seed=i) for i in range(12)]
    growing = DayFrame.from_minutes(chains[:3])
    band_levels(growing, 0.2, 0.4, selection, 1)
    for chain in chains[3:]:
        growing = growing.extend([chain])
        band_levels(growing, 0.2, 0.4, selection, 1)  # each minute: one new row
    whole = DayFrame.from_minutes(chains)
    kept = band_levels(growing, 0.2, 0.4, selection, 1).levels
    fresh = band_levels(whole, 0.2, 0.4, selection, 1).levels
    for side in fresh:
        for metric in fresh[side]:
            # Equal but for the order of a float sum (einsum's blocks differ with the number of rows).
            np.testing.assert_allclose(kept[side][metric], fresh[side][metric], rtol=1e-12, err_msg=metric)
    other_baseline = band_levels(growing, 0.2, 0.4, selection, 5).levels["ce"]["delta"]
    # A fixed band keeps the baseline's strikes: another baseline, other levels.
    if selection is Selection.fixed:
        assert not np.allclose(other_baseline, kept["ce"]["delta"])
