"""Run minutes of a trading day against the Upstox twin on a moved clock: catch-up for the demo, and the
`marketedge simulate-day` command that gives tests and demos a full stored day in seconds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from marketedge.chain.calendar import TradingCalendar
from marketedge.core.clock import ManualClock
from marketedge.ingest.job import MinuteJob, RunResult
from marketedge.twin.state import TwinState

Progress = Callable[[int, int, RunResult], None]


def session_minutes(calendar: TradingCalendar, day: date, until: datetime | None = None) -> list[datetime]:
    session = calendar.session(day)
    if session is None:
        raise ValueError(f"{day.isoformat()} is not a trading day")
    return [m for m in session.minutes() if until is None or m <= until]


async def run_minutes(
    job: MinuteJob, minutes: Sequence[datetime], twin: TwinState, progress: Progress | None = None
) -> list[RunResult]:
    """Poll each minute in turn with the twin's clock held a few seconds into it (the app's clock is left alone,
    so a running app keeps answering requests in its own time)."""
    results: list[RunResult] = []
    if not minutes:
        return results
    manual = ManualClock(minutes[0])
    twin.clock.use(manual)
    try:
        for i, minute in enumerate(minutes):
            manual.set(minute + timedelta(seconds=3))
            result = await job.run(minute, trigger="simulate", force=True)
            results.append(result)
            if progress is not None:
                progress(i + 1, len(minutes), result)
    finally:
        twin.clock.reset()
    return results
