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

from marketedge.app import create_app
from marketedge.broker.lifetimes import TokenKind
from marketedge.core import clock
from marketedge.core.clock import IST, ShiftedClock
from marketedge.core.config import load_settings
from marketedge.core.logs import configure_logging
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
    parser.add_argument(
        "--trace-slow",
        metavar="PATH",
        default=None,
        help="write every event-loop step that used more than --trace-ms of CPU to PATH (JSON lines); runs "
        "on asyncio's own loop instead of uvloop, whose steps cannot be timed from Python",
    )
    parser.add_argument("--trace-ms", type=float, default=2.0)
    parser.add_argument(
        "--sample-stacks",
        metavar="PATH",
        default=None,
        help="every millisecond of this process's CPU, write the main thread's stack to PATH (JSON lines)",
    )
    args = parser.parse_args()
    if args.trace_slow:
        _trace_slow_steps(Path(args.trace_slow), args.trace_ms / 1000)
    if args.sample_stacks:
        _sample_stacks(Path(args.sample_stacks))

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
            # Upstox refuses an analytics token on the profile call: it is validated as what it is.
            "upstox_access_token_kind": "analytics",
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
                await runtime.tokens.bootstrap(
                    settings.upstox_access_token.get_secret_value(),
                    TokenKind(settings.upstox_access_token_kind),
                )
            await runtime._warm()
            tasks = [
                asyncio.create_task(_record_announcements(runtime, log_path)),
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
        loop="asyncio" if args.trace_slow else "auto",
    )


def _trace_slow_steps(path: Path, threshold: float) -> None:
    """Time each step of asyncio's loop in CPU seconds of this thread (a quota's throttling is not counted)
    and log the slow ones with what ran: the task's coroutine, or the callback."""
    out = path.open("w")
    run = asyncio.events.Handle._run

    def timed(handle: asyncio.events.Handle) -> None:
        started = time.thread_time()
        run(handle)
        used = time.thread_time() - started
        if used >= threshold:
            callback = handle._callback  # type: ignore[attr-defined]
            task = getattr(callback, "__self__", None)
            what = _where(task.get_coro()) if isinstance(task, asyncio.Task) else repr(callback)
            out.write(json.dumps({"at": time.time(), "cpu_ms": round(used * 1000, 2), "what": what}) + "\n")
            out.flush()

    asyncio.events.Handle._run = timed  # type: ignore[method-assign]


def _sample_stacks(path: Path) -> None:
    """A profiler by CPU time (ITIMER_PROF counts only the time the process runs, so a quota's throttling
    is not sampled): each sample is the wall time and the main thread's stack, outermost first."""
    import signal

    out = path.open("w")

    def sample(signum: int, frame: Any) -> None:
        stack = []
        while frame is not None:
            code = frame.f_code
            stack.append(f"{code.co_filename.rsplit('/', 2)[-1]}:{code.co_name}")
            frame = frame.f_back
        out.write(json.dumps({"at": time.time(), "stack": stack[::-1]}) + "\n")

    signal.signal(signal.SIGPROF, sample)
    signal.setitimer(signal.ITIMER_PROF, 0.001, 0.001)


def _where(coro: Any) -> str:
    """The task's coroutine and where its innermost await stopped."""
    names = [getattr(coro, "__qualname__", repr(coro))]
    inner = coro
    while (awaited := getattr(inner, "cr_await", None) or getattr(inner, "ag_await", None)) is not None:
        inner = awaited
    frame = getattr(inner, "cr_frame", None) or getattr(inner, "ag_frame", None)
    if inner is not coro:
        names.append(getattr(inner, "__qualname__", type(inner).__name__))
    if frame is not None:
        names.append(f"{frame.f_code.co_filename.rsplit('/', 2)[-1]}:{frame.f_lineno}")
    return " > ".join(names)


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


async def _record_announcements(runtime: Any, path: Path) -> None:
    queue = runtime.bus.subscribe()
    pacer = runtime.pacer
    with path.open("a") as out:
        while True:
            event = await queue.get()
            out.write(
                json.dumps(
                    {
                        "minute": event.minute.isoformat(),
                        "symbol": event.symbol,
                        "stored_at": time.time(),
                        # requests waiting for an answer then, and how often background work stood aside
                        "waiting": pacer.waiting(),
                        "deferred": pacer.deferred,
                    }
                )
                + "\n"
            )
            out.flush()


if __name__ == "__main__":
    main()
