"""Client-side rate limits: every call to Upstox waits here, so no caller can push us past Upstox's budgets, and
the live minute's calls never wait behind the catch-up's.

Each API group keeps a sliding log of its recent calls over exactly Upstox's windows, and two lanes share a
group: the catch-up lane leaves a reserve of every window to the live one. No library offers lanes over
several windows at once (docs/upstox-client.md, "Limits").
"""

from __future__ import annotations

import asyncio
import bisect
import math
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from marketedge.core.budgets import Budget


class Lane(IntEnum):
    live = 0  # the minute job: the whole budget
    catchup = 1  # backfill: what the reserve leaves


#: Upstox's standard limits per API per user (docs/upstox-api.md §5; the official table is unconfirmed).
UPSTOX_BUDGETS: tuple[Budget, ...] = (Budget(50, 1.0), Budget(500, 60.0), Budget(2000, 1800.0))


def _loop_time() -> float:
    return asyncio.get_running_loop().time()


@dataclass(frozen=True, slots=True)
class Timebase:
    """What the limiter measures windows with and sleeps on: the event loop's clock (real time, or a test's
    virtual time), or a sped-up time for simulated sessions."""

    monotonic: Callable[[], float] = _loop_time
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    speed: float = 1.0


def scaled_timebase(speed: float) -> Timebase:
    """Time running `speed` times faster than the wall (a simulated session; the twin's windows use the same)."""
    origin = time.monotonic()

    def monotonic() -> float:
        return (time.monotonic() - origin) * speed

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(seconds / speed)

    return Timebase(monotonic, sleep, speed)


REAL_TIME = Timebase()
# A request reaches Upstox a little after it leaves: a slot frees this much later than its window says, so a
# call that was at the window's edge here cannot still be inside Upstox's window there.
MARGIN_SECONDS = 0.15


class _Group:
    """The times of one API group's recent calls, oldest first, and until when Upstox told us to wait."""

    __slots__ = ("head", "resume_at", "times")

    def __init__(self) -> None:
        self.times: list[float] = []
        self.head = 0  # times[:head] have left every window
        self.resume_at = 0.0

    def forget_before(self, horizon: float) -> None:
        self.head = bisect.bisect_right(self.times, horizon, self.head)
        if self.head > 4096 and self.head * 2 > len(self.times):
            del self.times[: self.head]
            self.head = 0

    def count_after(self, since: float) -> tuple[int, int]:
        """(how many calls are later than `since`, the index of the first of them)."""
        first = bisect.bisect_right(self.times, since, self.head)
        return len(self.times) - first, first


class UpstoxLimiter:
    """Keeps every API group within every budget at once, in any window, whatever the callers do.

    `per_api=True` (default) gives each API its own budgets, as Upstox documents; `per_api=False` counts all
    APIs together, the cautious reading. The live lane may fill a window; the catch-up lane only while `reserve`
    of it stays free. Share one instance between the clients of a process (`default_limiter()`).
    """

    def __init__(
        self,
        budgets: Sequence[Budget] = UPSTOX_BUDGETS,
        *,
        per_api: bool = True,
        reserve: float = 0.2,
        timebase: Timebase = REAL_TIME,
    ) -> None:
        if not budgets:
            raise ValueError("give at least one budget")
        if not 0 <= reserve < 1:
            raise ValueError("reserve is the share of a window kept for the live lane: from 0 to below 1")
        self.budgets = tuple(sorted(budgets, key=lambda b: b.seconds))
        self.per_api = per_api
        self.reserve = reserve
        self.timebase = timebase
        self._margin = MARGIN_SECONDS * timebase.speed
        self._horizon = self.budgets[-1].seconds + self._margin
        # Per budget: the live lane's limit (the budget) and the catch-up lane's (at least one call, and at
        # least one left for live).
        self._limits = {
            Lane.live: tuple(b.calls for b in self.budgets),
            Lane.catchup: tuple(
                max(1, min(b.calls - 1, math.floor(b.calls * (1 - reserve)))) for b in self.budgets
            ),
        }
        self._groups: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _Group]] = (
            weakref.WeakKeyDictionary()
        )
        self.waited = {Lane.live: 0, Lane.catchup: 0}  # acquisitions that had to wait, per lane

    def __repr__(self) -> str:
        budgets = ", ".join(f"{b.calls}/{b.seconds:g}s" for b in self.budgets)
        return f"UpstoxLimiter({budgets}, per_api={self.per_api}, reserve={self.reserve})"

    def group_of(self, api: str) -> str:
        return api if self.per_api else "all"

    async def acquire(self, api: str = "all", lane: Lane = Lane.live) -> None:
        """Wait until one more call to `api` fits every window for `lane`, and count it."""
        group = self._group(api)
        waited = False
        while True:
            now = self.timebase.monotonic()
            wait = self._wait(group, now, lane)
            if wait <= 0:
                group.times.append(now)
                if waited:
                    self.waited[lane] += 1
                return
            waited = True
            await self.timebase.sleep(wait)

    def pause(self, seconds: float, api: str = "all") -> None:
        """Hold every call to `api`'s group for `seconds` of real time (after Upstox answered 429)."""
        if seconds <= 0 or not math.isfinite(seconds):
            return
        group = self._group(api)
        group.resume_at = max(group.resume_at, self.timebase.monotonic() + seconds * self.timebase.speed)

    def used(self, api: str) -> list[int]:
        """Calls counted in each budget's window now, for `api`'s group (in the order of `budgets`)."""
        group = self._group(api)
        now = self.timebase.monotonic()
        return [group.count_after(now - b.seconds - self._margin)[0] for b in self.budgets]

    def _wait(self, group: _Group, now: float, lane: Lane) -> float:
        """How long until this lane may call (0 or less: now)."""
        group.forget_before(now - self._horizon)
        wait = group.resume_at - now
        for budget, limit in zip(self.budgets, self._limits[lane], strict=True):
            since = now - budget.seconds - self._margin
            count, first = group.count_after(since)
            if count >= limit:
                # Room comes when the oldest calls in the window, all but limit - 1 of them, have left it.
                wait = max(wait, group.times[first + count - limit] - since)
        return wait

    def _group(self, api: str) -> _Group:
        loop = asyncio.get_running_loop()
        groups = self._groups.get(loop)
        if groups is None:
            groups = self._groups[loop] = {}
        key = self.group_of(api)
        found = groups.get(key)
        if found is None:
            found = groups[key] = _Group()
        return found


_default: UpstoxLimiter | None = None


def default_limiter() -> UpstoxLimiter:
    """The process-wide limiter with Upstox's budgets, shared by every client not given its own."""
    global _default
    if _default is None:
        _default = UpstoxLimiter()
    return _default
