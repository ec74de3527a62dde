"""Benchmark-only server for the load test: the real app (create_app) on a stored trading day, with the
clock moved into that day's session and the minute job polling the built-in Upstox twin every (simulated)
minute, so new minutes arrive while the load runs. Not a production path: production runs
`marketedge serve`, whose scheduler polls Upstox on the wall clock.

    python benchmarks/load/serve.py --database sqlite:////tmp/load/day.db --start 2026-11-25T12:00 \
        --port 8900 --minute-seconds 60 --stored-log /tmp/load/stored.jsonl

Every announced minute is written to --stored-log as {"minute", "stored_at"} (wall-clock seconds) the moment
the job announces it (database and cache written), so the client can measure delivery latency.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from marketedge import clock
from marketedge.app import create_app
from marketedge.clock import IST, ShiftedClock
from marketedge.config import load_settings
from marketedge.logs import configure_logging
from twin import aligned_clock  # benchmarks/load/twin.py, beside this script


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--start", required=True, help="IST wall time the clock starts at, YYYY-MM-DDTHH:MM")
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--minute-seconds", type=float, default=60.0, help="Real seconds per market minute")
    parser.add_argument("--stored-log", required=True)
    parser.add_argument("--redis", default=None)
    parser.add_argument("--rate-limit", default=None, help="API_RATE_LIMIT override (throughput runs only)")
    parser.add_argument(
        "--upstox-url",
        default=None,
        help="An Upstox twin in its own process (benchmarks/load/twin.py) instead of the built-in one",
    )
    parser.add_argument(
        "--epoch", type=float, default=None, help="with --upstox-url: the clocks' shared epoch"
    )
    args = parser.parse_args()

    overrides: dict[str, Any] = {
        "database_url": args.database,
        "data_source": "twin",
        "scheduler_enabled": False,  # the loop below polls on the moved clock instead
        "marketedge_env": "development",
    }
    if args.upstox_url:
        # Upstox elsewhere, as in production: only the poller's HTTP calls cost this process CPU.
        clock.set_clock(aligned_clock(args.start, args.epoch, args.minute_seconds))
        minted = httpx.post(f"{args.upstox_url}/twin/tokens", json={"kind": "analytics"}, timeout=30)
        overrides |= {
            "data_source": "upstox",
            "upstox_base_url": args.upstox_url,
            "upstox_access_token": minted.raise_for_status().json()["access_token"],
        }
    else:
        start = datetime.fromisoformat(args.start).replace(tzinfo=IST) - timedelta(seconds=2)
        clock.set_clock(ShiftedClock(start, 60.0 / args.minute_seconds))
    if args.redis:
        overrides["redis_url"] = args.redis
    if args.rate_limit:
        overrides["api_rate_limit"] = args.rate_limit
    settings = load_settings(**overrides)
    configure_logging(os.environ.get("LOG_LEVEL", "INFO"), "json")
    app = create_app(settings)
    inner = app.router.lifespan_context
    log_path = Path(args.stored_log)

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with inner(application) as state:
            runtime = application.state.runtime
            # The day is stored already (simulate-day): no demo catch-up of the morning; warm the cache now.
            for task in list(runtime._tasks):
                task.cancel()
            runtime.catching_up = False
            if settings.upstox_access_token is not None:  # what _token_then_warm would have stored
                await runtime.tokens.bootstrap(settings.upstox_access_token.get_secret_value())
            await runtime._warm()
            tasks = [
                asyncio.create_task(_record_announcements(runtime.bus, log_path)),
                asyncio.create_task(_poll_each_minute(runtime)),
            ]
            try:
                yield state
            finally:
                for task in tasks:
                    task.cancel()

    app.router.lifespan_context = lifespan
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        log_config=None,
        timeout_keep_alive=30,
        backlog=4096,
        server_header=False,
    )


async def _poll_each_minute(runtime: Any) -> None:
    """3 simulated seconds after each minute turns, poll it (as the production scheduler does)."""
    done: datetime | None = None
    while True:
        now = clock.now()
        minute = clock.floor_minute(now)
        if minute != done and now - minute >= timedelta(seconds=3):
            done = minute
            if runtime.calendar.is_open(minute):
                await runtime.job.run(minute, trigger="bench", force=True)
        await asyncio.sleep(0.25)


async def _record_announcements(bus: Any, path: Path) -> None:
    queue = bus.subscribe()
    with path.open("a") as out:
        while True:
            event = await queue.get()
            out.write(
                json.dumps(
                    {"minute": event.minute.isoformat(), "symbol": event.symbol, "stored_at": time.time()}
                )
                + "\n"
            )
            out.flush()


if __name__ == "__main__":
    main()
