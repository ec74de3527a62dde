"""Upstox-like request limits per token and per API (50 a second, 500 a minute, 2000 in 30 minutes each), answered
with 429 and UDAPI10005 above them, on a clock a test may speed up."""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable

WINDOWS = (1.0, 60.0, 1800.0)

# Which API a path belongs to (Upstox counts each API separately); the names are the client's endpoint names.
_APIS: tuple[tuple[str, str], ...] = (
    ("/v2/option/chain", "option_chain"),
    ("/v2/option/contract", "option_contracts"),
    ("/v3/market-quote/option-greek", "option_greeks"),
    ("/v3/market-quote/ltp", "ltp"),
    ("/v3/historical-candle/intraday/", "intraday_candles"),
    ("/v3/historical-candle/", "historical_candles"),
    ("/v2/market/holidays", "holidays"),
    ("/v2/market/timings", "timings"),
    ("/v2/market/status", "market_status"),
    ("/v2/user/profile", "profile"),
    ("/v2/logout", "logout"),
)


def api_of(path: str) -> str:
    """The API a request path belongs to: `/v2/option/chain` → option_chain; unknown paths count as `other`."""
    for prefix, name in _APIS:
        if path.startswith(prefix):
            return name
    return "other"


class RateLimiter:
    """Sliding windows per (token, API); a refused call does not count. Limits are read on every call, so a
    change to the twin's config applies at once. `per_api=False` counts every API of a token together."""

    def __init__(
        self,
        limits: Callable[[], tuple[int | None, int | None, int | None]],
        clock: Callable[[], float] = time.monotonic,
        *,
        per_api: Callable[[], bool] = lambda: True,
    ) -> None:
        self._limits = limits
        self.clock = clock
        self._per_api = per_api
        self._lock = threading.Lock()
        self._calls: dict[tuple[str, str], list[float]] = {}
        self.refused = 0

    def allow(self, token: str, path: str = "") -> bool:
        limits = self._limits()
        if all(limit is None for limit in limits):
            return True
        now = self.clock()
        key = (token, api_of(path) if self._per_api() else "all")
        with self._lock:
            calls = self._calls.setdefault(key, [])
            old = bisect.bisect_right(calls, now - WINDOWS[-1])
            if old:
                del calls[:old]
            for window, limit in zip(WINDOWS, limits, strict=True):
                # Calls are in time order: those later than the window's start are inside it.
                if limit is not None and len(calls) - bisect.bisect_right(calls, now - window) >= limit:
                    self.refused += 1
                    return False
            calls.append(now)
            return True

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self.refused = 0
