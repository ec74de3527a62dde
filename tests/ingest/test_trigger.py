"""The ingest trigger: the current minute once (idempotent), one run at a time, only by the leader, nothing
outside the session or without a token."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from marketedge.chain.calendar import TradingCalendar
from marketedge.core import clock
from marketedge.core.clock import ManualClock, ist
from marketedge.ingest.job import RunResult
from marketedge.ingest.trigger import IngestTrigger

OPEN = ist(2026, 11, 25, 10, 30, 1)


class FakeJob:
    def __init__(self, delay: float = 0.0) -> None:
        self.runs: list[datetime] = []
        self.last_result: RunResult | None = None
        self.delay = delay

    async def run(self, minute: datetime, *, trigger: str = "schedule", force: bool = False) -> RunResult:
        self.runs.append(minute)
        await asyncio.sleep(self.delay)
        self.last_result = RunResult(minute, "ok", duration_ms=1.0)
        return self.last_result


@dataclass
class FakeLeader:
    leader: bool = True

    async def ensure(self) -> bool:
        return self.leader


@dataclass
class FakeRuntime:
    job: FakeJob = field(default_factory=FakeJob)
    leader: FakeLeader = field(default_factory=FakeLeader)
    calendar: TradingCalendar = field(default_factory=TradingCalendar.bundled)
    catching_up: bool = False
    token: str | None = "t"

    async def current_token(self) -> str | None:
        return self.token


@pytest.fixture
def at_open() -> Iterator[ManualClock]:
    with clock.use_clock(ManualClock(OPEN)) as manual:
        assert isinstance(manual, ManualClock)
        yield manual


def trigger_for(runtime: FakeRuntime) -> IngestTrigger:
    return IngestTrigger(runtime)  # type: ignore[arg-type]


async def test_the_current_minute_runs_once_however_often_it_is_asked(at_open: ManualClock) -> None:
    runtime = FakeRuntime()
    trigger = trigger_for(runtime)
    first = await trigger.run_current_minute()
    again = await trigger.run_current_minute()
    assert (first.status, again.status) == ("ran", "already_done")
    assert runtime.job.runs == [clock.floor_minute(OPEN)]
    at_open.advance(timedelta(minutes=1))
    assert (await trigger.run_current_minute()).status == "ran" and len(runtime.job.runs) == 2


async def test_concurrent_triggers_join_one_run(at_open: ManualClock) -> None:
    runtime = FakeRuntime(job=FakeJob(delay=0.05))
    trigger = trigger_for(runtime)
    answers = await asyncio.gather(*(trigger.run_current_minute() for _ in range(10)))
    assert len(runtime.job.runs) == 1 and {a.status for a in answers} == {"ran"}


async def test_a_slow_run_answers_running_and_goes_on(at_open: ManualClock) -> None:
    runtime = FakeRuntime(job=FakeJob(delay=0.2))
    trigger = trigger_for(runtime)
    assert (await trigger.run_current_minute(wait_seconds=0.01)).status == "running"
    await asyncio.sleep(0.3)
    assert runtime.job.last_result is not None  # not cancelled with the answer
    assert (await trigger.run_current_minute()).status == "already_done"


async def test_nothing_runs_when_closed_without_token_or_not_leader(at_open: ManualClock) -> None:
    for runtime, status in (
        (FakeRuntime(token=None), "no_token"),
        (FakeRuntime(leader=FakeLeader(False)), "not_leader"),
        (FakeRuntime(catching_up=True), "catching_up"),
    ):
        assert (await trigger_for(runtime).run_current_minute()).status == status
        assert runtime.job.runs == []
    at_open.set(ist(2026, 11, 25, 16, 0))
    closed = FakeRuntime()
    assert (await trigger_for(closed).run_current_minute()).status == "market_closed"
    assert closed.job.runs == []
