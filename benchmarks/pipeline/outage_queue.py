"""The outage queue's capacity for the default universe (docs/operations.md, "The outage queue"): the bytes a
session of chain minutes takes as the queue holds them, measured on the twin's chains, normalised and encoded as
the minute job does.

    .venv/bin/python benchmarks/pipeline/outage_queue.py

Every SAMPLE_EVERY-th minute of the session is fetched for each of the default universe's 8 instrument-expiries;
a chain minute's size is nearly constant through the day, so the session's total is the mean times 375 minutes.
The queue is then filled with a whole session of those real payloads, and its bookkeeping and the memory its
items take (tracemalloc) are read.
"""

from __future__ import annotations

import asyncio
import logging
import tracemalloc
from datetime import timedelta

from marketedge.chain.calendar import TradingCalendar
from marketedge.chain.frames import encode
from marketedge.core.clock import ManualClock, ist, use_clock
from marketedge.ingest.normalise import normalise_chain
from marketedge.ingest.outage_queue import MEMORY_BYTES, OutageQueue, QueuedMinute, QueuedRun
from marketedge.ingest.universe import DEFAULT_EXPIRIES, DEFAULT_UNIVERSE, KNOWN_INDICES
from marketedge.twin.config import TwinConfig
from marketedge.twin.server import TwinServer
from marketedge.upstox import UpstoxClient, UpstoxLimiter
from marketedge.upstox.limits import Budget

DAY = ist(2026, 11, 25)
SAMPLE_EVERY = 25


async def main() -> None:
    logging.disable(logging.INFO)  # the client's line per call
    session = TradingCalendar.bundled().session(DAY.date())
    assert session is not None
    minutes = int((session.close - session.open).total_seconds() // 60) + 1
    moved = ManualClock(session.open)
    with use_clock(moved):
        twin = TwinServer(TwinConfig(rate_per_second=None, rate_per_minute=None, rate_per_30_minutes=None))
        twin.start()
        token = twin.state.mint_token()

        async def current() -> str:
            return token

        client = UpstoxClient(twin.url, current, limiter=UpstoxLimiter([Budget(1000, 1.0)]))
        sampled: dict[str, list[QueuedMinute]] = {}
        for symbol in DEFAULT_UNIVERSE:
            key = KNOWN_INDICES[symbol].instrument_key
            expiries = sorted({c.expiry for c in await client.option_contracts(key)})[:DEFAULT_EXPIRIES]
            for expiry in expiries:
                for i in range(0, minutes, SAMPLE_EVERY):
                    minute = session.open + timedelta(minutes=i)
                    moved.set(minute + timedelta(seconds=3))
                    answer = await client.option_chain(key, expiry)
                    chain = normalise_chain(answer.rows, minute, expiry, 0.065)[0]
                    item = QueuedMinute(symbol, expiry, minute, chain.spot, chain.strike_count, encode(chain))
                    sampled.setdefault(f"{symbol}:{expiry}", []).append(item)
        await client.aclose()
        twin.stop()

    per_minute = sum(sum(i.size for i in items) / len(items) for items in sampled.values())
    strikes = sum(items[0].strike_count for items in sampled.values())
    print(f"targets: {len(sampled)}, strikes across them: {strikes}, session minutes: {minutes}")
    print(f"a polled minute of the universe, as queued: {per_minute / 1024:.1f} KiB")
    print(f"a session: {per_minute * minutes / 2**20:.1f} MiB of minutes (+ run records)")
    print(f"memory bound {MEMORY_BYTES / 2**20:.0f} MiB holds {MEMORY_BYTES / per_minute:.0f} minutes")

    tracemalloc.start()
    queue = OutageQueue()
    for i in range(minutes):
        for items in sampled.values():
            original = items[i % len(items)]
            # A copy of the bytes, as each polled minute brings its own.
            queue.add(QueuedMinute(original.symbol, original.expiry, original.minute, original.spot,
                                   original.strike_count, bytes(bytearray(original.payload))))  # fmt: skip
        queue.add(QueuedRun({"minute": session.open + timedelta(minutes=i), "status": "partial"}))
    print(
        f"queue filled with a session: {queue.size / 2**20:.1f} MiB counted, spilled={queue.spilled}, "
        f"dropped={queue.dropped}; memory allocated {tracemalloc.get_traced_memory()[0] / 2**20:.1f} MiB"
    )


if __name__ == "__main__":
    asyncio.run(main())
