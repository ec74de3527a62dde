"""Client-side rate limits: every call to Upstox waits here, so no caller can push us past Upstox's budgets."""

from __future__ import annotations

import asyncio
import math
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field

from aiolimiter import AsyncLimiter


@dataclass(frozen=True, slots=True)
class Budget:
    """At most `calls` requests in any `seconds`-long window."""

    calls: int
    seconds: float

    def __post_init__(self) -> None:
        if self.calls < 3 or not self.seconds > 0:
            raise ValueError(f"a budget needs at least 3 calls over a positive period, got {self}")


#: Upstox's standard limits per API per user (shared/docs/upstox-api.md §5; the official table is unconfirmed).
UPSTOX_BUDGETS: tuple[Budget, ...] = (Budget(50, 1.0), Budget(500, 60.0), Budget(2000, 1800.0))


@dataclass
class _BucketSet:
    """One bucket per budget, and the lock that serialises acquisitions (FIFO) across them."""

    buckets: list[AsyncLimiter]
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class _LoopState:
    """aiolimiter's buckets belong to one event loop; a process with several loops gets one set per loop."""

    sets: dict[str, _BucketSet] = field(default_factory=dict)
    resume_at: float = 0.0


class UpstoxLimiter:
    """Keeps calls within every budget at once, in any window, whatever the callers do.

    Each budget is an aiolimiter leaky bucket holding `burst` of the budget, draining at the rate that fills
    the rest of the window: `capacity + rate × window = calls − 1`. A leaky bucket admits at most
    `capacity + rate × window` in any window; acquisitions are serialised (FIFO) so each bucket's admissions
    interleave with the real sends, which can add one more; hence the `− 1`. The result is a hard cap per
    sliding window, at the price of a sustained rate a little below the budget (the burst share).

    `per_api=False` (the default) puts every API in one set of buckets: the safe reading while Upstox's
    table is unconfirmed. `per_api=True` gives each API (endpoint name) its own set, as Upstox documents.
    Share one instance between clients of the same process to share the budget (`default_limiter()`).
    """

    def __init__(
        self, budgets: Sequence[Budget] = UPSTOX_BUDGETS, *, burst: float = 0.2, per_api: bool = False
    ) -> None:
        if not budgets:
            raise ValueError("give at least one budget")
        if not 0 < burst < 1:
            raise ValueError("burst is the share of a budget that may go at once: between 0 and 1")
        self.budgets = tuple(budgets)
        self.burst = burst
        self.per_api = per_api
        self._states: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopState] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:
        budgets = ", ".join(f"{b.calls}/{b.seconds:g}s" for b in self.budgets)
        return f"UpstoxLimiter({budgets}, burst={self.burst}, per_api={self.per_api})"

    async def acquire(self, api: str = "all") -> None:
        """Wait until one more call to `api` fits every budget, and count it."""
        state = self._state()
        key = api if self.per_api else "all"
        bucket_set = state.sets.get(key)
        if bucket_set is None:
            bucket_set = state.sets[key] = _BucketSet([self._bucket(b) for b in self.budgets])
        async with bucket_set.lock:
            # After a 429 every call of the process holds until Upstox's Retry-After has passed.
            wait = state.resume_at - asyncio.get_running_loop().time()
            if wait > 0:
                await asyncio.sleep(wait)
            for bucket in bucket_set.buckets:
                await bucket.acquire()

    def pause(self, seconds: float) -> None:
        """Hold every call of this process for `seconds` (after Upstox answered 429)."""
        if seconds <= 0 or not math.isfinite(seconds):
            return
        state = self._state()
        state.resume_at = max(state.resume_at, asyncio.get_running_loop().time() + seconds)

    def _bucket(self, budget: Budget) -> AsyncLimiter:
        usable = budget.calls - 1
        capacity = max(1, min(usable - 1, math.floor(budget.calls * self.burst)))
        rate = (usable - capacity) / budget.seconds
        return AsyncLimiter(max_rate=capacity, time_period=capacity / rate)

    def _state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        state = self._states.get(loop)
        if state is None:
            state = self._states[loop] = _LoopState()
        return state


_default: UpstoxLimiter | None = None


def default_limiter() -> UpstoxLimiter:
    """The process-wide limiter with Upstox's budgets, shared by every client not given its own."""
    global _default
    if _default is None:
        _default = UpstoxLimiter()
    return _default
