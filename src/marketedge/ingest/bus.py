"""Announces each stored minute to whoever listens (the SSE stream's broadcaster), within one process; with
REDIS_URL set, `marketedge.ingest.redis_bus.RedisMinuteBus` carries the same announcements to every replica."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class MinuteStored:
    symbol: str
    expiry: date
    minute: datetime
    backfilled: bool = (
        False  # earlier minutes of the day were filled (from `minute` on): screens reload the day
    )


class MinuteBus:
    """Fan-out to subscriber queues; a slow subscriber loses old announcements, never blocks the job."""

    def __init__(self, queue_size: int = 32) -> None:
        self._subscribers: set[asyncio.Queue[MinuteStored]] = set()
        self._queue_size = queue_size

    async def start(self) -> None:
        """Connect whatever carries announcements between processes (nothing, in one process)."""

    async def close(self) -> None:
        """Disconnect (nothing to do in one process)."""

    def subscribe(self) -> asyncio.Queue[MinuteStored]:
        queue: asyncio.Queue[MinuteStored] = asyncio.Queue(self._queue_size)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[MinuteStored]) -> None:
        self._subscribers.discard(queue)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def publish(self, event: MinuteStored) -> None:
        for queue in self._subscribers:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)
