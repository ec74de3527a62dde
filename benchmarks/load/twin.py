"""Benchmark-only: the Upstox twin in a process of its own, outside the server's CPU quota, as Upstox is
outside Render's. Its clock is the server's (benchmarks/load/serve.py): both read `--start` at the wall-clock
instant `--epoch` and run `60 / --minute-seconds` times fast, so the minute the server polls is the minute
the twin serves.

    python benchmarks/load/twin.py --port 8901 --start 2026-11-25T12:00 --epoch 1795600000.0 --minute-seconds 60
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta

from marketedge.core.clock import IST, ShiftedClock
from marketedge.twin.config import TwinConfig
from marketedge.twin.server import serve


def aligned_clock(start: str, epoch: float, minute_seconds: float) -> ShiftedClock:
    """The clock that read `start` (IST) at wall-clock `epoch` and runs 60/minute_seconds times fast."""
    speed = 60.0 / minute_seconds
    at_epoch = datetime.fromisoformat(start).replace(tzinfo=IST)
    return ShiftedClock(at_epoch + timedelta(seconds=(time.time() - epoch) * speed), speed)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--start", required=True, help="IST wall time at --epoch, YYYY-MM-DDTHH:MM")
    parser.add_argument(
        "--epoch", type=float, required=True, help="time.time() at which the clock reads --start"
    )
    parser.add_argument("--minute-seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    # Upstox's own rate limits are far above one poller's 8 calls a minute; the twin's would only add noise.
    config = TwinConfig(seed=args.seed, rate_per_second=None, rate_per_minute=None, rate_per_30_minutes=None)
    serve(
        "127.0.0.1",
        args.port,
        args.seed,
        config=config,
        clock=aligned_clock(args.start, args.epoch, args.minute_seconds),
    )


if __name__ == "__main__":
    main()
