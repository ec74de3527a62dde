"""The minute job over real HTTP against the twin: stores once, survives Upstox and database failures."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import func, select

from marketedge.chain.frames import FIELD_INDEX, GreeksSource, decode, encode
from marketedge.core.db import Database
from marketedge.ingest.outage_queue import OutageQueue
from marketedge.models import ChainMinuteRecord, IngestRun
from tests.ingest.conftest import MINUTE, Pipeline


async def count_minutes(database: Database) -> int:
    async with database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ChainMinuteRecord)) or 0)


async def runs(database: Database) -> list[IngestRun]:
    async with database.sessions() as session:
        return list(await session.scalars(select(IngestRun).order_by(IngestRun.id)))


async def test_a_minute_is_fetched_normalised_stored_cached_and_announced(pipeline: Pipeline) -> None:
    events = pipeline.job.bus.subscribe()
    result = await pipeline.job.run(MINUTE)
    assert result.status == "ok", result
    ((label, outcome),) = result.outcomes.items()
    assert label.startswith("NIFTY:") and outcome.status == "stored" and outcome.strikes > 50
    assert await count_minutes(pipeline.database) == 1
    event = events.get_nowait()
    frame = await pipeline.cache.day("NIFTY", event.expiry, MINUTE.date())
    assert frame.minutes == (MINUTE,)
    chain = frame.chain_at(0)
    iv = chain.field("iv")
    assert np.nanmax(iv) < 2 and np.nanmedian(iv) < 0.6, "IV is a fraction, not Upstox's percent"
    delta = chain.field("delta")
    assert np.nanmin(delta[0]) >= 0 and np.nanmax(delta[1]) <= 0
    # The twin sends Upstox's quirks (delta 1 and IV 0 deep in the money, absurd illiquid rows): filled by us.
    assert (chain.source == GreeksSource.engine).any()
    filled = chain.source == GreeksSource.engine
    assert np.isfinite(iv[filled]).all() and (iv[filled] < 2).all()
    (run,) = await runs(pipeline.database)
    assert run.status == "ok" and run.stored == 1 and label in run.outcomes


async def test_the_same_minute_twice_is_stored_once(pipeline: Pipeline) -> None:
    await pipeline.job.run(MINUTE)
    again = await pipeline.job.run(MINUTE)
    assert [o.status for o in again.outcomes.values()] == ["duplicate"]
    assert await count_minutes(pipeline.database) == 1


async def test_outside_the_session_nothing_happens_unless_forced(pipeline: Pipeline) -> None:
    evening = MINUTE.replace(hour=18)
    assert (await pipeline.job.run(evening)).status == "skipped"
    assert await count_minutes(pipeline.database) == 0


async def test_a_rejected_token_pauses_polling_until_a_new_token_is_stored(pipeline: Pipeline) -> None:
    pipeline.twin.state.tokens.revoke()
    first = await pipeline.job.run(MINUTE)
    assert first.status == "failed" and "token" in (first.error or "")
    assert pipeline.job.paused_for_token
    second = await pipeline.job.run(MINUTE + timedelta(minutes=1))
    assert second.status == "failed" and not second.outcomes, "no Upstox call while the token is known bad"
    pipeline.token[0] = pipeline.twin.state.mint_token()
    third = await pipeline.job.run(MINUTE + timedelta(minutes=2))
    assert third.status == "ok" and not pipeline.job.paused_for_token
    assert await count_minutes(pipeline.database) == 1
    assert [r.status for r in await runs(pipeline.database)] == ["failed", "failed", "ok"], (
        "gaps are recorded"
    )


async def test_server_errors_and_rate_limits_are_retried_within_the_minute(pipeline: Pipeline) -> None:
    await pipeline.job.run(MINUTE)  # resolve the universe first
    pipeline.twin.state.add_fault("server_error", count=1, status=503, path_prefix="/v2/option/chain")
    pipeline.twin.state.add_fault("rate_limit", count=1, path_prefix="/v2/option/chain")
    result = await pipeline.job.run(MINUTE + timedelta(minutes=1))
    assert result.status == "ok"
    assert await count_minutes(pipeline.database) == 2


async def test_a_malformed_or_empty_answer_is_a_gap_not_a_zero(pipeline: Pipeline) -> None:
    await pipeline.job.run(MINUTE)
    pipeline.twin.state.add_fault("malformed_json", path_prefix="/v2/option/chain")
    bad = await pipeline.job.run(MINUTE + timedelta(minutes=1))
    assert bad.status == "failed" and "BadResponse" in (bad.error or "")
    pipeline.twin.state.faults.clear()
    pipeline.twin.state.add_fault("empty_chain")
    empty = await pipeline.job.run(MINUTE + timedelta(minutes=2))
    assert empty.status == "failed" and "empty" in (empty.error or "")
    pipeline.twin.state.faults.clear()
    assert (await pipeline.job.run(MINUTE + timedelta(minutes=3))).status == "ok"
    frame = await pipeline.cache.day("NIFTY", next(iter(_expiries(pipeline))), MINUTE.date())
    assert [m.strftime("%H:%M") for m in frame.minutes] == ["10:30", "10:33"]


async def test_missing_greeks_are_kept_null_or_filled_and_flagged(pipeline: Pipeline) -> None:
    await pipeline.job.run(MINUTE)
    pipeline.twin.state.add_fault("missing_fields", fields=["call_options.option_greeks"], every=2)
    result = await pipeline.job.run(MINUTE + timedelta(minutes=1))
    assert result.status == "ok"
    async with pipeline.database.sessions() as session:
        payload = await session.scalar(
            select(ChainMinuteRecord.payload).where(ChainMinuteRecord.minute == MINUTE + timedelta(minutes=1))
        )
    chain = decode(payload)
    calls = chain.source[0]
    assert (calls[::2] != GreeksSource.upstox).all(), "every second call row lost its greeks: not Upstox's"
    assert np.isfinite(chain.values[FIELD_INDEX["delta"], 0][calls == GreeksSource.engine]).all()


async def test_minutes_polled_while_the_database_is_down_are_written_when_it_returns(
    pipeline: Pipeline,
) -> None:
    await pipeline.job.run(MINUTE)
    expiry = _expiries(pipeline)[0]
    working = pipeline.job.database
    pipeline.job.database = Database("postgresql+asyncpg://nobody@127.0.0.1:1/down")
    try:
        for i in (1, 2):
            result = await pipeline.job.run(MINUTE + timedelta(minutes=i))
            assert [o.status for o in result.outcomes.values()] == ["queued"] and result.status == "partial"
            # Readers have the minute at once, from the cache.
            frame = await pipeline.cache.day("NIFTY", expiry, MINUTE.date())
            assert frame.minutes[-1] == MINUTE + timedelta(minutes=i)
        assert pipeline.job.pending == 2 and len(pipeline.job.queue) == 4  # two minutes, two run records
    finally:
        await pipeline.job.database.dispose()
        pipeline.job.database = working
    # The database is back: this minute waits behind the older ones, and all are written, in order.
    result = await pipeline.job.run(MINUTE + timedelta(minutes=3))
    assert [o.status for o in result.outcomes.values()] == ["queued"]
    await pipeline.job.flush()
    assert pipeline.job.pending == 0 and not pipeline.job.queue
    assert await count_minutes(pipeline.database) == 4
    recorded = await runs(pipeline.database)
    assert [r.minute for r in recorded] == [MINUTE + timedelta(minutes=i) for i in range(4)]
    assert [r.status for r in recorded] == ["ok", "partial", "partial", "partial"]
    assert all(o["status"] == "queued" for r in recorded[1:] for o in r.outcomes.values())


async def test_past_the_queue_a_minute_is_a_recorded_gap_never_a_silent_loss(pipeline: Pipeline) -> None:
    await pipeline.job.run(MINUTE)
    # Room for about one chain minute and nothing on disk.
    frame = await pipeline.cache.day("NIFTY", _expiries(pipeline)[0], MINUTE.date())
    payload_size = len(encode(frame.chain_at(0)))
    pipeline.job.queue = OutageQueue(memory_bytes=payload_size + 2048, file_bytes=0)
    working = pipeline.job.database
    pipeline.job.database = Database("postgresql+asyncpg://nobody@127.0.0.1:1/down")
    try:
        kept = await pipeline.job.run(MINUTE + timedelta(minutes=1))
        lost = await pipeline.job.run(MINUTE + timedelta(minutes=2))
    finally:
        await pipeline.job.database.dispose()
        pipeline.job.database = working
    assert [o.status for o in kept.outcomes.values()] == ["queued"]
    assert [o.status for o in lost.outcomes.values()] == ["dropped"] and pipeline.job.queue.dropped == 1
    await pipeline.job.flush()
    recorded = await runs(pipeline.database)
    # Both run records reach the database: the dropped minute is a gap on record, for the catch-up to fill.
    assert [r.status for r in recorded] == ["ok", "partial", "partial"]
    assert [o["status"] for o in recorded[2].outcomes.values()] == ["dropped"]
    assert await count_minutes(pipeline.database) == 2


def _expiries(pipeline: Pipeline) -> list:  # type: ignore[type-arg]
    assert pipeline.job._targets is not None
    return [t.expiry for t in pipeline.job._targets[1]]


async def test_one_failing_instrument_does_not_hold_back_the_others(pipeline: Pipeline) -> None:
    from marketedge.ingest.universe import set_universe

    async with pipeline.database.sessions() as session:
        await set_universe(session, ["NIFTY", "BANKNIFTY"], expiries=1)
        await session.commit()
    pipeline.job.forget_targets()
    await pipeline.job.run(MINUTE)  # resolve both
    # The next chain answer (whichever index asks first) loses its strike prices: unusable, not retried.
    pipeline.twin.state.add_fault(
        "missing_fields", fields=["strike_price"], count=1, path_prefix="/v2/option/chain"
    )
    result = await pipeline.job.run(MINUTE + timedelta(minutes=1))
    statuses = sorted(o.status for o in result.outcomes.values())
    assert statuses == ["error", "stored"] and result.status == "partial"
    assert await count_minutes(pipeline.database) == 3
