"""The ingest trigger behind POST /api/v1/admin/ingest/run: an outside scheduler (cron-job.org on the free
tier) asks for the current minute every minute of the session, which also keeps a sleeping host awake.

Idempotent and one at a time: a minute already polled is not polled again (the scheduler and the trigger
may both fire), a run in progress is joined rather than doubled, and only the poller leader runs it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from marketedge.chain.calendar import TradingCalendar
from marketedge.core import clock
from marketedge.ingest.job import MinuteJob, RunResult
from marketedge.ingest.leader import LeaderLock


class Poller(Protocol):
    """What the trigger needs of the process that polls (runtime.Runtime)."""

    @property
    def job(self) -> MinuteJob: ...
    @property
    def calendar(self) -> TradingCalendar: ...
    @property
    def leader(self) -> LeaderLock: ...
    @property
    def catching_up(self) -> bool: ...
    async def current_token(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class TriggerAnswer:
    minute: datetime
    # ran | already_done | running | market_closed | no_token | not_leader | catching_up | failed
    status: str
    result: RunResult | None = None


def minute_done(job: MinuteJob, minute: datetime) -> bool:
    last = job.last_result
    return last is not None and last.minute == minute and last.status in ("ok", "partial")


class IngestTrigger:
    def __init__(self, runtime: Poller) -> None:
        self._runtime = runtime
        self._running: asyncio.Task[RunResult] | None = None

    async def run_current_minute(self, wait_seconds: float = 25.0) -> TriggerAnswer:
        runtime, job = self._runtime, self._runtime.job
        minute = clock.floor_minute(clock.now())
        if not runtime.calendar.is_open(minute):
            return TriggerAnswer(minute, "market_closed")
        if runtime.catching_up:
            return TriggerAnswer(minute, "catching_up")
        if minute_done(job, minute):
            return TriggerAnswer(minute, "already_done", job.last_result)
        if self._running is None or self._running.done():
            if await runtime.current_token() is None:
                return TriggerAnswer(minute, "no_token")
            if not await runtime.leader.ensure():
                return TriggerAnswer(minute, "not_leader")
            self._running = asyncio.get_running_loop().create_task(job.run(minute, trigger="http"))
        try:
            # Shielded: a caller that gives up (cron-job.org waits 30 s) does not cancel the minute.
            result = await asyncio.wait_for(asyncio.shield(self._running), timeout=wait_seconds)
        except TimeoutError:
            return TriggerAnswer(minute, "running")
        if result.status == "skipped":  # the scheduler's run of this minute holds the job: it is running
            return TriggerAnswer(minute, "running", result)
        return TriggerAnswer(minute, "ran" if result.status in ("ok", "partial") else "failed", result)
