"""Backfill rebuilds missed minutes from the twin's candles, consistent with what the chain said then."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from marketedge.calendar import TradingCalendar
from marketedge.clock import ManualClock
from marketedge.frames import FIELD_INDEX, GreeksSource
from marketedge.ingest.backfill import backfill_day
from tests.ingest.conftest import MINUTE, Pipeline


async def test_missed_minutes_are_filled_from_candles_and_marked(
    pipeline: Pipeline, app_clock: ManualClock
) -> None:
    start = MINUTE.replace(hour=9, minute=15)
    app_clock.set(start + timedelta(seconds=3))
    live = await pipeline.job.run(start)
    assert live.status == "ok"
    live_expiry = pipeline.job._targets[1][0].expiry  # type: ignore[index]
    app_clock.set(start + timedelta(minutes=12, seconds=20))
    report = await backfill_day(
        pipeline.database, pipeline.cache, pipeline.client, TradingCalendar.bundled(), start.date()
    )
    assert not report.errors, report.errors
    label = f"NIFTY:{live_expiry.isoformat()}"
    assert report.missing_before[label] == 11  # 09:16 … 09:26 (09:27 is not over yet)
    assert report.filled[label] == 11
    frame = await pipeline.cache.day("NIFTY", live_expiry, start.date())
    assert len(frame) == 12
    backfilled = frame.chain_at(5)
    assert set(np.unique(backfilled.source)) <= {GreeksSource.backfill, GreeksSource.none}
    # Again: nothing left to fill, nothing duplicated.
    again = await backfill_day(
        pipeline.database, pipeline.cache, pipeline.client, TradingCalendar.bundled(), start.date()
    )
    assert again.total_filled == 0


async def test_a_backfilled_minute_agrees_with_the_live_chain(
    pipeline: Pipeline, app_clock: ManualClock
) -> None:
    minute = MINUTE.replace(hour=9, minute=40)
    app_clock.set(minute + timedelta(seconds=3))
    await pipeline.job.run(minute)
    expiry = pipeline.job._targets[1][0].expiry  # type: ignore[index]
    live = (await pipeline.cache.day("NIFTY", expiry, minute.date())).chain_at(0)
    # A second database holds nothing yet; rebuild 09:40 there from candles and compare.
    from sqlalchemy import delete

    from marketedge.models import ChainMinuteRecord

    async with pipeline.database.sessions() as session:
        await session.execute(delete(ChainMinuteRecord))
        await session.commit()
    await pipeline.cache.backend.delete(f"chain:NIFTY:{expiry.isoformat()}:{minute.date().isoformat()}:index")
    app_clock.set(minute + timedelta(minutes=1, seconds=5))
    await backfill_day(
        pipeline.database, pipeline.cache, pipeline.client, TradingCalendar.bundled(), minute.date()
    )
    frame = await pipeline.cache.day("NIFTY", expiry, minute.date())
    rebuilt = frame.chain_at(frame.minutes.index(minute))
    common, li, ri = np.intersect1d(live.strikes, rebuilt.strikes, return_indices=True)
    assert common.size > 20
    ltp_live = live.field("ltp")[:, li]
    ltp_rebuilt = rebuilt.field("ltp")[:, ri]
    traded = np.isfinite(ltp_live) & np.isfinite(ltp_rebuilt)
    np.testing.assert_allclose(ltp_rebuilt[traded], ltp_live[traded], rtol=0, atol=0.051)
    delta_live = live.values[FIELD_INDEX["delta"]][:, li]
    delta_rebuilt = rebuilt.values[FIELD_INDEX["delta"]][:, ri]
    both = (
        np.isfinite(delta_live)
        & np.isfinite(delta_rebuilt)
        & (np.abs(delta_live) > 0.05)
        & (np.abs(delta_live) < 0.95)
    )
    assert both.sum() > 10
    assert np.nanmax(np.abs(delta_rebuilt[both] - delta_live[both])) < 0.05
