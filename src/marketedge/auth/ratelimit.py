"""Rate limits on the `limits` library: Redis-backed when REDIS_URL is set (shared by every replica), in-process
otherwise, and in-process too while Redis does not answer: limits never fail open. A refusal is a 429 in the one
error shape with Retry-After in whole seconds."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import structlog
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter
from limits.errors import StorageError

from marketedge.core.errors import RateLimited

log = structlog.get_logger(__name__)

# Sign-in: every attempt from one address; failures from one address; failures against one account. The
# account tiers make the back-off: 5 failures lock it for up to 15 minutes, 10 for an hour, 20 for a day.
LOGIN_ATTEMPTS_PER_IP = parse_many("30/minute;300/hour")
LOGIN_FAILURES_PER_IP = parse_many("20 per 15 minutes;100/day")
LOGIN_FAILURES_PER_ACCOUNT = parse_many("5 per 15 minutes;10/hour;20/day")
WEBHOOK_PER_IP = parse_many("120/minute")


Strategy = MovingWindowRateLimiter | FixedWindowRateLimiter

#: While Redis does not answer, counters live in the process; Redis is tried again after this many seconds.
RETRY_SHARED_SECONDS = 5.0


class _Counters:
    """One storage and the two strategies over it."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.moving = MovingWindowRateLimiter(storage)
        self.fixed = FixedWindowRateLimiter(storage)


class RateLimiter:
    """Counters by (name, key…); `hit` counts and refuses, `check` only refuses, `clear` forgets.

    With Redis, a storage error switches to in-process counters for RETRY_SHARED_SECONDS, then Redis is tried
    again. Meanwhile each process counts on its own (and starts from zero): looser than the shared limit by the
    number of replicas, but never open."""

    def __init__(
        self,
        redis_url: str | None = None,
        *,
        prefix: str = "marketedge:rl",
        retry_shared_seconds: float = RETRY_SHARED_SECONDS,
    ) -> None:
        self.prefix = prefix
        self._local = _Counters(MemoryStorage())
        self._shared: _Counters | None = None
        if redis_url:
            uri = "async+" + redis_url if not redis_url.startswith("unix") else "async+redis+" + redis_url
            self._shared = _Counters(
                RedisStorage(
                    uri,
                    implementation="redispy",
                    key_prefix=prefix,
                    wrap_exceptions=True,
                    socket_timeout=2,
                    socket_connect_timeout=2,
                )
            )
        self._retry_shared_seconds = retry_shared_seconds
        self._shared_down_until = 0.0  # time.monotonic(); while ahead of it, the local counters answer

    @property
    def shared(self) -> bool:
        """Whether the next call goes to Redis (False without Redis, or while it is down)."""
        return self._shared is not None and time.monotonic() >= self._shared_down_until

    def _counters(self) -> _Counters:
        return self._shared if self._shared is not None and self.shared else self._local

    def _shared_failed(self, exc: Exception) -> None:
        if self._shared_down_until == 0.0:  # once per outage
            log.error(
                "rate limits: Redis unavailable; counting in this process until it answers",
                error=type(exc).__name__,
            )
        self._shared_down_until = time.monotonic() + self._retry_shared_seconds

    def _shared_answered(self, counters: _Counters) -> None:
        if counters is self._shared and self._shared_down_until:
            self._shared_down_until = 0.0
            log.info("rate limits: Redis answers again; counting there")

    async def hit(self, items: Sequence[RateLimitItem], *keys: str, cheap: bool = False) -> None:
        """Count one event against every limit; raise RateLimited when any is already spent."""
        for item in items:
            counters = self._counters()
            strategy = counters.fixed if cheap else counters.moving
            try:
                allowed = await strategy.hit(item, self.prefix, *keys)
            except StorageError as exc:
                self._shared_failed(exc)
                counters = self._local
                strategy = counters.fixed if cheap else counters.moving
                allowed = await strategy.hit(item, self.prefix, *keys)
            self._shared_answered(counters)
            if not allowed:
                raise await self._refusal(strategy, item, keys)

    async def check(self, items: Sequence[RateLimitItem], *keys: str) -> None:
        """Raise RateLimited when any limit is spent, without counting."""
        for item in items:
            counters = self._counters()
            try:
                allowed = await counters.moving.test(item, self.prefix, *keys)
            except StorageError as exc:
                self._shared_failed(exc)
                counters = self._local
                allowed = await counters.moving.test(item, self.prefix, *keys)
            self._shared_answered(counters)
            if not allowed:
                raise await self._refusal(counters.moving, item, keys)

    async def clear(self, items: Sequence[RateLimitItem], *keys: str) -> None:
        for item in items:
            # Both places: counts made during an outage must not outlive the success that clears them.
            await self._local.moving.clear(item, self.prefix, *keys)
            if self._shared is not None and self.shared:
                try:
                    await self._shared.moving.clear(item, self.prefix, *keys)
                except StorageError as exc:
                    self._shared_failed(exc)

    async def _refusal(self, strategy: Strategy, item: RateLimitItem, keys: tuple[str, ...]) -> RateLimited:
        try:
            stats = await strategy.get_window_stats(item, self.prefix, *keys)
            retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        except StorageError:
            retry_after = 60
        return RateLimited(
            f"Too many requests; try again in {retry_after} s.",
            details={"retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )

    async def close(self) -> None:
        timer = getattr(self._local.storage, "timer", None)
        if timer is not None:
            timer.cancel()
        if self._shared is not None:
            client = getattr(getattr(self._shared.storage, "bridge", None), "storage", None)
            closer = getattr(client, "aclose", None)
            if closer is not None:
                try:
                    await closer()
                except Exception as exc:  # best effort: the process is going away
                    log.debug("rate limit storage close failed", error=type(exc).__name__)
