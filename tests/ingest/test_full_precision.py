"""The tracker sums greeks at full precision: Upstox's rounding (gamma to 4 decimals, IV to 2 in percent) must
not show up as steps in a band's change since 09:15. The twin rounds as Upstox does; its model knows the
unrounded greeks of every option, which is what the tracker's series are held against."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from marketedge.analytics.bands import Selection, band_membership
from marketedge.analytics.tracker import TrackerQuery, build_tracker
from marketedge.chain.frames import FIELD_INDEX, GreeksSource
from marketedge.core.clock import ManualClock
from marketedge.twin.instruments import NIFTY
from marketedge.twin.market import Market
from tests.ingest.conftest import MINUTE, Pipeline

MINUTES = 40


async def test_band_changes_follow_the_models_greeks_not_upstoxs_rounding(
    pipeline: Pipeline, app_clock: ManualClock
) -> None:
    start = MINUTE.replace(hour=9, minute=15)
    for i in range(MINUTES):
        minute = start + timedelta(minutes=i)
        app_clock.set(minute + timedelta(seconds=3))
        assert (await pipeline.job.run(minute)).status == "ok"
    expiry = pipeline.job._targets[1][0].expiry  # type: ignore[index]
    frame = await pipeline.cache.day("NIFTY", expiry, start.date())
    assert len(frame) == MINUTES
    query = TrackerQuery(delta_min=0.05, delta_max=0.60, selection=Selection.dynamic)
    end = start + timedelta(minutes=MINUTES - 1)
    tracker = build_tracker(frame, query, start, start, end)
    member = band_membership(frame, query.delta_min, query.delta_max, query.selection, 0)
    # Inside the band the options take Upstox's IV (it reprices them); the twin's deep-ITM rows (IV 0) do not.
    assert (frame.source[member] == GreeksSource.upstox).mean() > 0.95
    deep = np.abs(frame.values[:, FIELD_INDEX["delta"]]) > 0.995
    assert (frame.source[deep] == GreeksSource.engine).mean() > 0.5

    # The model's own greeks for every option of the frame, minute by minute, unrounded and without quirks.
    config = pipeline.twin.state.config
    truth = Market(config.seed, config.calendar, rate=config.risk_free_rate, quirks=False)
    session = config.calendar.session(start.date())
    assert session is not None
    index = np.array([int((m - session.open).total_seconds() // 60) for m in frame.minutes])
    model = truth.evaluate(NIFTY, expiry, start.date(), index, frame.strikes, with_greeks=True)
    for name in ("delta", "gamma"):
        exact = np.stack([getattr(model.call, name), getattr(model.put, name)], axis=1)  # (M, 2, K)
        rounded = np.round(exact, 4)  # what Upstox sends and what the tracker summed before
        ours = tracker.series["net"][name][1]
        exact_change = _band_sum(exact, member) - _band_sum(exact, member)[0]
        rounded_change = _band_sum(rounded, member) - _band_sum(rounded, member)[0]
        our_error = np.max(np.abs(ours - exact_change))
        rounding_error = np.max(np.abs(rounded_change - exact_change))
        typical_move = np.median(np.abs(np.diff(exact_change)))
        print(
            f"{name}: ours {our_error:.3g}, summed rounded {rounding_error:.3g}, minute move {typical_move:.3g}"
        )
        # Our change since 09:15 is the model's to a small part of one minute's move.
        assert our_error < 0.2 * typical_move, (name, our_error, typical_move)
        if name == "gamma":
            # Summed, Upstox's 4-decimal gammas are off by many minute moves (the defect); ours are not.
            assert rounding_error > 2 * typical_move, (rounding_error, typical_move)
            assert our_error < rounding_error / 20, (our_error, rounding_error)
        stored = frame.values[:, FIELD_INDEX[name]]
        inside = member & np.isfinite(stored)
        relative = np.abs(stored[inside] - exact[inside]) / np.maximum(np.abs(exact[inside]), 1e-12)
        assert np.median(relative) < 1e-3, (name, np.median(relative))


def _band_sum(values: np.ndarray, member: np.ndarray) -> np.ndarray:
    return np.where(member, np.nan_to_num(values), 0.0).sum(axis=(1, 2))
