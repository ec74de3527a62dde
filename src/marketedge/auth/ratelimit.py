"""Rate limits on the `limits` library: Redis-backed when REDIS_URL is set (shared by every replica), in-process
otherwise. A refusal is a 429 in the one error shape with Retry-After in whole seconds."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import structlog
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter
from limits.errors import StorageError

from marketedge.errors import RateLimited

log = structlog.get_logger(__name__)

# Sign-in: every attempt from one address; failures from one address; failures against one account. The
# account tiers make the back-off: 5 failures lock it for up to 15 minutes, 10 for an hour, 20 for a day.
LOGIN_ATTEMPTS_PER_IP = parse_many("30/minute;300/hour")
LOGIN_FAILURES_PER_IP = parse_many("20 per 15 minutes;100/day")
LOGIN_FAILURES_PER_ACCOUNT = parse_many("5 per 15 minutes;10/hour;20/day")
WEBHOOK_PER_IP = parse_many("120/minute")


def _unavailable(exc: Exception) -> None:
    # Fail open: Redis down must not lock every person out; the error log says protection is off meanwhile.
    log.error("rate limits unavailable: storage error, requests pass unlimited", error=type(exc).__name__)


class RateLimiter:
    """Counters by (name, key…); `hit` counts and refuses, `check` only refuses, `clear` forgets."""

    def __init__(self, redis_url: str | None = None, *, prefix: str = "marketedge:rl") -> None:
        if redis_url:
            uri = "async+" + redis_url if not redis_url.startswith("unix") else "async+redis+" + redis_url
            self.storage: Storage = RedisStorage(
                uri,
                implementation="redispy",
                key_prefix=prefix,
                wrap_exceptions=True,
                socket_timeout=2,
                socket_connect_timeout=2,
            )
        else:
            self.storage = MemoryStorage()
        self.prefix = prefix
        self._moving = MovingWindowRateLimiter(self.storage)
        self._fixed = FixedWindowRateLimiter(self.storage)

    async def hit(self, items: Sequence[RateLimitItem], *keys: str, cheap: bool = False) -> None:
        """Count one event against every limit; raise RateLimited when any is already spent."""
        strategy = self._fixed if cheap else self._moving
        for item in items:
            try:
                allowed = await strategy.hit(item, self.prefix, *keys)
            except StorageError as exc:
                _unavailable(exc)
                return
            if not allowed:
                raise await self._refusal(strategy, item, keys)

    async def check(self, items: Sequence[RateLimitItem], *keys: str) -> None:
        """Raise RateLimited when any limit is spent, without counting."""
        for item in items:
            try:
                allowed = await self._moving.test(item, self.prefix, *keys)
            except StorageError as exc:
                _unavailable(exc)
                return
            if not allowed:
                raise await self._refusal(self._moving, item, keys)

    async def clear(self, items: Sequence[RateLimitItem], *keys: str) -> None:
        for item in items:
            try:
                await self._moving.clear(item, self.prefix, *keys)
            except StorageError as exc:
                _unavailable(exc)
                return

    async def _refusal(
        self,
        strategy: MovingWindowRateLimiter | FixedWindowRateLimiter,
        item: RateLimitItem,
        keys: tuple[str, ...],
    ) -> RateLimited:
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
        timer = getattr(self.storage, "timer", None)
        if timer is not None:
            timer.cancel()
        if isinstance(self.storage, RedisStorage):
            client = getattr(getattr(self.storage, "bridge", None), "storage", None)
            closer = getattr(client, "aclose", None)
            if closer is not None:
                try:
                    await closer()
                except Exception as exc:  # best effort: the process is going away
                    log.debug("rate limit storage close failed", error=type(exc).__name__)
