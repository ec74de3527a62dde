"""Minute pipeline and tracker API benchmarks (issues 5 and 6): CPU per minute, cache memory for a day,
cached day reads, PostgreSQL bytes per option-row, tracker answers for a new band and for an ETag hit.

    .venv/bin/python benchmarks/pipeline/bench_pipeline.py [--postgres postgresql://postgres@127.0.0.1:5432/test]

Chains come from the Upstox twin over real HTTP once (recorded), then every measured step runs on the
recorded JSON: validating them (the client's chain rows), normalising with the greeks check, encoding. Prints a Markdown
table; docs/pipeline.md keeps the figures of a run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import statistics
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the project's tests/ helpers

import httpx
import numpy as np

from marketedge.analytics.bands import Selection
from marketedge.analytics.service import MarketData
from marketedge.analytics.tracker import TrackerQuery
from marketedge.api.rendered import RenderedCache, render
from marketedge.cache import MemoryBackend, MinuteCache
from marketedge.chain.calendar import TradingCalendar
from marketedge.chain.frames import decode, encode
from marketedge.chain.store import StoredMinute
from marketedge.core.clock import ManualClock, ist, use_clock
from marketedge.core.jsonresponse import json_bytes
from marketedge.ingest.normalise import normalise_chain
from marketedge.twin.config import TwinConfig
from marketedge.twin.server import TwinServer
from marketedge.upstox.schemas import CHAIN_ROWS

DAY = ist(2026, 11, 25, 9, 15).date()
UNIVERSE = {
    "NIFTY": "NSE_INDEX|Nifty 50",
    "BANKNIFTY": "NSE_INDEX|Nifty Bank",
    "FINNIFTY": "NSE_INDEX|Nifty Fin Service",
    "SENSEX": "BSE_INDEX|SENSEX",
}


def record_chains(minutes: list) -> dict:  # type: ignore[type-arg]
    """{(symbol, expiry): [json rows per minute]} from the twin over HTTP (default universe, 2 expiries)."""
    out: dict = {}  # type: ignore[type-arg]
    clock = ManualClock(minutes[0])
    with TwinServer(
        TwinConfig(rate_per_second=None, rate_per_minute=None, rate_per_30_minutes=None), clock
    ) as twin:
        token = twin.state.mint_token("analytics")
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=twin.url, headers=headers, timeout=30) as http:
            for symbol, key in UNIVERSE.items():
                contracts = http.get("/v2/option/contract", params={"instrument_key": key}).json()["data"]
                expiries = sorted({c["expiry"] for c in contracts})[:2]
                for expiry in expiries:
                    rows = []
                    for minute in minutes:
                        clock.set(minute + timedelta(seconds=3))
                        answer = http.get(
                            "/v2/option/chain", params={"instrument_key": key, "expiry_date": expiry}
                        )
                        rows.append(answer.json()["data"])
                    out[(symbol, expiry)] = rows
    return out


def minute_cpu(recorded: dict, minutes: list) -> tuple[float, float, int]:  # type: ignore[type-arg]
    """CPU seconds for one minute of the whole universe: parse + normalise + encode (median over minutes)."""
    from datetime import date

    samples = []
    strikes = 0
    for i, minute in enumerate(minutes):
        start = time.process_time()
        for (_, expiry), per_minute in recorded.items():
            rows = CHAIN_ROWS.validate_python(per_minute[i])
            chain, report = normalise_chain(rows, minute, date.fromisoformat(expiry), 0.065)
            encode(chain)
            strikes += report.strikes if i == 0 else 0
        samples.append(time.process_time() - start)
    return statistics.median(samples), max(samples), strikes


async def cache_day(recorded: dict, minutes: list) -> dict:  # type: ignore[type-arg]
    """A full day of the universe through MinuteCache.put; memory held, and the cost of a warm day read."""
    from datetime import date

    encoded: dict = {}  # type: ignore[type-arg]
    for (symbol, expiry), per_minute in recorded.items():
        rows0 = [CHAIN_ROWS.validate_python(r) for r in per_minute[:1]]
        base, _ = normalise_chain(rows0[0], minutes[0], date.fromisoformat(expiry), 0.065)
        encoded[(symbol, expiry)] = base
    session = TradingCalendar.bundled().session(DAY)
    assert session is not None
    all_minutes = list(session.minutes())
    backend = MemoryBackend(max_bytes=1 << 31)
    calendar = TradingCalendar.bundled()

    async def loader(symbol, expiry, day, after):  # type: ignore[no-untyped-def]
        return [StoredMinute(m, blobs[(symbol, expiry)][i]) for i, m in enumerate(all_minutes)]

    # The same chain moved through the day (prices scaled): as large as real minutes, cheap to make.
    blobs: dict = {}  # type: ignore[type-arg]
    for key, chain in encoded.items():
        blobs[key] = []
        for j, minute in enumerate(all_minutes):
            values = chain.values * (1 + 0.0005 * np.sin(j / 7))
            moved = type(chain)(minute, chain.spot * (1 + 0.0002 * j), chain.strikes, values, chain.source)
            blobs[key].append(encode(moved))
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    cache = MinuteCache(backend, loader, calendar)
    with use_clock(ManualClock(all_minutes[-1] + timedelta(minutes=5))):
        for (symbol, expiry), items in blobs.items():
            for minute, blob in zip(all_minutes, items, strict=True):
                await cache.put(symbol, date.fromisoformat(expiry), minute, blob, load_first=False)
        held_bytes = backend.size_bytes
        for symbol, expiry in blobs:
            await cache.day(symbol, date.fromisoformat(expiry), DAY)
        traced = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        symbol, expiry = next(iter(blobs))
        reads = []
        for _ in range(200):
            t0 = time.perf_counter()
            await cache.day(symbol, date.fromisoformat(expiry), DAY)
            reads.append(time.perf_counter() - t0)
        cold = MinuteCache(backend, loader, calendar)
        t0 = time.perf_counter()
        await cold.day(symbol, date.fromisoformat(expiry), DAY)
        decode_day = time.perf_counter() - t0
        option_rows = sum(len(decode(b[0]).strikes) * 2 for b in blobs.values())
        # The tracker on the warm day: a new band (built) and the same question again (stored bytes).
        frame = await cache.day(symbol, date.fromisoformat(expiry), DAY)
        from marketedge.analytics.service import Selected

        service = MarketData(None, None, calendar)  # type: ignore[arg-type]  (no database or cache needed here)
        selected = Selected(symbol, date.fromisoformat(expiry), DAY, session, frame)
        rendered = RenderedCache()
        builds, hits = [], []
        for i in range(50):
            query = TrackerQuery(0.05 + i * 0.001, 0.60, Selection.dynamic, 1)

            async def build(q=query):  # type: ignore[no-untyped-def]
                tracker = service.tracker(selected, q, None, None, None)
                return render(json_bytes(service.summary_payload(selected, q, tracker)), "application/json")

            t0 = time.perf_counter()
            await rendered.get(f"q{i}", "v", build)
            builds.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            await rendered.get(f"q{i}", "v", build)
            hits.append(time.perf_counter() - t0)
    return {
        "held_bytes": held_bytes,
        "traced_bytes": traced,
        "day_read_warm_ms": statistics.median(reads) * 1000,
        "day_read_decode_ms": decode_day * 1000,
        "option_rows_per_minute": option_rows,
        "summary_build_ms": statistics.median(builds) * 1000,
        "summary_hit_ms": statistics.median(hits) * 1000,
    }


async def postgres_bytes(url: str, recorded: dict, minutes: list) -> tuple[float, int]:  # type: ignore[type-arg]
    """Bytes per option-row in PostgreSQL (table + index + TOAST) for the recorded minutes."""
    from datetime import date

    import asyncpg

    from marketedge.models import migrate
    from tests.conftest import drop_postgres_database, fresh_postgres_database

    db_url, name = await asyncio.to_thread(fresh_postgres_database, url)
    try:
        await asyncio.to_thread(migrate.upgrade, db_url.replace("postgresql://", "postgresql+asyncpg://"))
        conn = await asyncpg.connect(db_url)
        option_rows = 0
        for (symbol, expiry), per_minute in recorded.items():
            for i, minute in enumerate(minutes):
                rows = CHAIN_ROWS.validate_python(per_minute[i])
                chain, _ = normalise_chain(rows, minute, date.fromisoformat(expiry), 0.065)
                payload = encode(chain)
                option_rows += chain.strike_count * 2
                await conn.execute(
                    "INSERT INTO chain_minute (symbol, expiry, minute, spot, strike_count, origin, payload)"
                    " VALUES ($1, $2, $3, $4, $5, 0, $6)",
                    symbol,
                    date.fromisoformat(expiry),
                    minute,
                    chain.spot,
                    chain.strike_count,
                    payload,
                )
        await conn.execute("VACUUM ANALYZE chain_minute")
        size = await conn.fetchval("SELECT pg_total_relation_size('chain_minute')")
        await conn.close()
        return size / option_rows, option_rows
    finally:
        await asyncio.to_thread(drop_postgres_database, url, name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=int, default=30, help="minutes recorded from the twin")
    parser.add_argument("--postgres", default=None, help="an admin URL to measure bytes per option-row")
    args = parser.parse_args()
    minutes = [ist(2026, 11, 25, 9, 15) + timedelta(minutes=i) for i in range(args.minutes)]
    t0 = time.perf_counter()
    recorded = record_chains(minutes)
    print(
        f"recorded {len(recorded)} chains × {len(minutes)} minutes from the twin in {time.perf_counter() - t0:.1f} s"
    )
    cpu_median, cpu_max, strikes = minute_cpu(recorded, minutes)
    day = asyncio.run(cache_day(recorded, minutes))
    pg = asyncio.run(postgres_bytes(args.postgres, recorded, minutes)) if args.postgres else None
    cpu = platform.processor() or "unknown"
    info = Path("/proc/cpuinfo")
    if info.exists():
        models = [
            line.split(":", 1)[1].strip()
            for line in info.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = models[0] if models else cpu
    print(
        f"\nmachine: {os.cpu_count()} CPUs, {cpu}; Python {platform.python_version()}, numpy {np.__version__}\n"
    )
    print("| measure | result | target |")
    print("|---|---|---|")
    print(
        f"| one minute of the default universe (8 chains, {strikes} strikes): parse + normalise + encode, CPU | median {cpu_median * 1000:.0f} ms, max {cpu_max * 1000:.0f} ms | < 250 ms |"
    )
    print(
        f"| a full day (376 minutes × 8 chains) held in the bytes cache | {day['held_bytes'] / 2**20:.1f} MiB | < 64 MiB |"
    )
    print(
        f"| the same day decoded for readers (all 8 frames, traced allocations) | {day['traced_bytes'] / 2**20:.1f} MiB (bounded LRU, default 96 MiB) | |"
    )
    print(
        f"| cached read of a whole day, one instrument-expiry (warm) | {day['day_read_warm_ms']:.3f} ms | < 5 ms |"
    )
    print(f"| the same read after a restart (decode 376 minutes) | {day['day_read_decode_ms']:.0f} ms | |")
    print(f"| /greeks/summary body for a new band, full day | {day['summary_build_ms']:.2f} ms | < 10 ms |")
    print(f"| the same question again (stored bytes) | {day['summary_hit_ms'] * 1000:.1f} µs | < 1 ms |")
    if pg:
        print(
            f"| PostgreSQL bytes per option-row (table + index + TOAST, {pg[1]} rows) | {pg[0]:.1f} B | ≤ 20 B |"
        )


if __name__ == "__main__":
    main()
