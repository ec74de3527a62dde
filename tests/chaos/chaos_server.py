"""`marketedge serve` as production runs it (scheduler on, Upstox over HTTP, PostgreSQL, Redis), on a simulated
trading day that runs SPEED times as fast as the wall. Run as a script by tests/chaos/test_outages.py, which
kills it with SIGKILL and starts it again: the day's clock is anchored to the wall (the simulated instant at a
given Unix time), so every process, the twin's included, reads the same simulated time.

    CHAOS_CLOCK="2026-11-25T09:13:00+05:30|1764900000.0|20" python tests/chaos/chaos_server.py --port P

The rest of the configuration is the environment, as for `marketedge serve`.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime, timedelta


def anchored_now(spec: str) -> tuple[datetime, float]:
    """The simulated instant now, and the speed, from "START|WALL|SPEED"."""
    start, wall, speed = spec.split("|")
    factor = float(speed)
    return datetime.fromisoformat(start) + timedelta(seconds=(time.time() - float(wall)) * factor), factor


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()

    from marketedge.cli import serve
    from marketedge.core import clock

    now, speed = anchored_now(os.environ["CHAOS_CLOCK"])
    clock.set_clock(clock.ShiftedClock(now, speed))
    serve("127.0.0.1", args.port)  # what `marketedge serve` runs, on the simulated day's clock


if __name__ == "__main__":
    main()
