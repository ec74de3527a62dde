"""Upstox-like request limits per token (50 a second, 500 a minute, 2000 in 30 minutes), in real time."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

WINDOWS = (1.0, 60.0, 1800.0)


class RateLimiter:
    """Sliding windows per token; a refused call does not count. Limits are read on every call, so a change
    to the twin's config applies at once."""

    def __init__(
        self,
        limits: Callable[[], tuple[int | None, int | None, int | None]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._calls: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        limits = self._limits()
        if all(limit is None for limit in limits):
            return True
        now = self._clock()
        with self._lock:
            calls = self._calls.setdefault(key, deque())
            while calls and now - calls[0] >= WINDOWS[-1]:
                calls.popleft()
            for window, limit in zip(WINDOWS, limits, strict=True):
                if limit is not None and _count_since(calls, now - window) >= limit:
                    return False
            calls.append(now)
            return True

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()


def _count_since(calls: deque[float], since: float) -> int:
    # Calls are in time order: count from the newest end (windows are short compared with the deque).
    count = 0
    for stamp in reversed(calls):
        if stamp <= since:
            break
        count += 1
    return count
