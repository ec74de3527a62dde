"""Readiness checks: each named, each with a status and a short detail that leaks nothing internal."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

import structlog

log = structlog.get_logger(__name__)

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    status: Status
    detail: str


Check = Callable[[], Awaitable[CheckResult]]


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    checks: dict[str, CheckResult]

    def as_dict(self) -> dict[str, object]:
        return {
            "status": "ok" if self.ready else "fail",
            "checks": {name: {"status": c.status, "detail": c.detail} for name, c in self.checks.items()},
        }


class HealthService:
    """Runs the registered checks concurrently, each with a timeout; answers from a short-lived memo."""

    def __init__(self, cache_seconds: float = 1.0, timeout_seconds: float = 2.0) -> None:
        self._checks: dict[str, Check] = {}
        self._cache_seconds = cache_seconds
        self._timeout = timeout_seconds
        self._memo: tuple[float, Readiness] | None = None
        self._lock = asyncio.Lock()

    def register(self, name: str, check: Check) -> None:
        self._checks[name] = check

    async def readiness(self) -> Readiness:
        memo = self._memo
        if memo and time.monotonic() - memo[0] < self._cache_seconds:
            return memo[1]
        async with self._lock:  # one run of the checks however many probes arrive together
            memo = self._memo
            if memo and time.monotonic() - memo[0] < self._cache_seconds:
                return memo[1]
            names = list(self._checks)
            results = await asyncio.gather(*(self._run(n, self._checks[n]) for n in names))
            readiness = Readiness(
                all(r.status != "fail" for r in results), dict(zip(names, results, strict=True))
            )
            self._memo = (time.monotonic(), readiness)
            return readiness

    async def _run(self, name: str, check: Check) -> CheckResult:
        try:
            return await asyncio.wait_for(check(), timeout=self._timeout)
        except TimeoutError:
            return CheckResult("fail", f"no answer within {self._timeout:g} s")
        except Exception:
            log.warning("health check failed", check=name, exc_info=True)
            return CheckResult("fail", "unreachable")
