"""Backfill rebuilds missed minutes from the twin's candles, consistent with what the chain said then."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from sqlalchemy import delete, select

from marketedge.chain.calendar import TradingCalendar
from marketedge.chain.frames import FIELD_INDEX, GreeksSource
from marketedge.core.clock import IST, ManualClock
from marketedge.core.db import Database
from marketedge.ingest.backfill import backfill_day
from marketedge.ingest.universe import DEFAULT_UNIVERSE
from marketedge.models import IngestRun, Instrument
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


async def test_a_first_start_at_1030_with_nothing_stored_fills_the_day_from_0915(
    pipeline: Pipeline, app_clock: ManualClock, database: Database
) -> None:
    """A first deploy (no universe, no targets, nothing stored) waking at 10:30: the catch-up seeds the universe,
    resolves the day's targets and fills 09:15-10:29, each minute with a run record."""
    async with database.sessions() as session:
        await session.execute(delete(Instrument))  # cascades to tracked_expiry
        await session.commit()
    app_clock.set(MINUTE.replace(hour=10, minute=30, second=2))
    report = await backfill_day(
        pipeline.database, pipeline.cache, pipeline.client, TradingCalendar.bundled(), MINUTE.date()
    )
    assert not report.errors, report.errors
    assert report.filled and all(n == 75 for n in report.filled.values()), report.filled
    assert set(report.filled) == set(report.missing_before)
    assert {label.split(":")[0] for label in report.filled} == set(DEFAULT_UNIVERSE)
    label = next(iter(report.filled))
    symbol, expiry = label.split(":")[0], date.fromisoformat(label.split(":")[1])
    frame = await pipeline.cache.day(symbol, expiry, MINUTE.date())
    assert frame.minutes[0] == MINUTE.replace(hour=9, minute=15) and len(frame) == 75
    async with database.sessions() as session:
        runs = list(
            await session.scalars(
                select(IngestRun).where(IngestRun.trigger == "backfill").order_by(IngestRun.minute)
            )
        )
    assert len(runs) == 75 * len(report.filled) and runs[0].status == "ok"
    assert runs[0].minute.astimezone(IST) == MINUTE.replace(hour=9, minute=15)
    # Run again (a restart): everything is there, nothing is asked of Upstox's candles.
    again = await backfill_day(
        pipeline.database, pipeline.cache, pipeline.client, TradingCalendar.bundled(), MINUTE.date()
    )
    assert again.total_filled == 0 and again.calls == 0


async def test_a_contract_whose_candles_fail_leaves_a_recorded_gap_not_a_lost_target(
    pipeline: Pipeline, app_clock: ManualClock
) -> None:
    start = MINUTE.replace(hour=9, minute=15)
    app_clock.set(start + timedelta(seconds=3))
    assert (await pipeline.job.run(start)).status == "ok"
    expiry = pipeline.job._targets[1][0].expiry  # type: ignore[index]
    chain = (await pipeline.cache.day("NIFTY", expiry, start.date())).chain_at(0)
    atm = float(chain.strikes[np.argmin(np.abs(chain.strikes - chain.spot))])
    contracts = await pipeline.client.option_contracts("NSE_INDEX|Nifty 50", expiry)
    broken = next(c for c in contracts if c.strike_price == atm and c.instrument_type == "CE")
    pipeline.twin.state.add_fault(
        "server_error",
        status=500,
        count=1000,
        path_prefix=f"/v3/historical-candle/intraday/{broken.instrument_key}/",
    )
    app_clock.set(start + timedelta(minutes=6, seconds=5))
    report = await backfill_day(
        pipeline.database, pipeline.cache, pipeline.client, TradingCalendar.bundled(), start.date()
    )
    label = f"NIFTY:{expiry.isoformat()}"
    assert not report.errors and report.filled[label] == 5
    assert report.strike_gaps[label] == [f"{atm:g} CE"]
    frame = await pipeline.cache.day("NIFTY", expiry, start.date())
    rebuilt = frame.chain_at(frame.minutes.index(start + timedelta(minutes=3)))
    k = int(np.nonzero(rebuilt.strikes == atm)[0][0])
    assert np.isnan(rebuilt.field("ltp")[0, k]) and np.isfinite(rebuilt.field("ltp")[1, k])  # only that CE
    async with pipeline.database.sessions() as session:
        run = await session.scalar(
            select(IngestRun).where(
                IngestRun.trigger == "backfill", IngestRun.minute == start + timedelta(minutes=3)
            )
        )
    assert run is not None and run.status == "partial"
    assert f"{atm:g} CE" in run.outcomes[label]["detail"]
