"""The live stream's broadcaster: one listener on the minute bus for the whole process, one build per
(stream parameters, minute) shared by every subscriber, the same bytes handed to each of their queues.

A subscriber's generator (the SSE answer) only yields what the hub queued, or, when it fell behind (a full
queue, a reconnect with an older Last-Event-ID), one catch-up built from its own last minute, which other
subscribers in the same place share through the RenderedCache.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import structlog

from marketedge.analytics.service import MarketData, Selected
from marketedge.analytics.tracker import TrackerQuery
from marketedge.api.rendered import Rendered, RenderedCache, render
from marketedge.core.jsonresponse import json_bytes
from marketedge.ingest.bus import MinuteBus, MinuteStored

log = structlog.get_logger(__name__)

# A comment line keeps idle proxies (60 s is the common idle timeout) from closing a stream. Each wait draws its
# own delay: a fixed one would have every stream write its heartbeat at the same moment after each minute, a
# burst that queues the requests behind it under a 0.1-CPU quota (docs/scaling.md).
HEARTBEAT_MIN_SECONDS = 20.0
HEARTBEAT_MAX_SECONDS = 40.0
# EventSource reconnects after `retry` ms: a random delay per connection spreads a restart's reconnect storm
# over RETRY_MAX_MS instead of one instant (docs/scaling.md has the arithmetic).
RETRY_MIN_MS = 2_000
RETRY_MAX_MS = 20_000
QUEUE_SIZE = 8
_ONE_MINUTE = timedelta(minutes=1)

Item = tuple[datetime, datetime | None, bytes]  # newest minute, the minute it was built from, event bytes
# Earlier minutes of the day were filled in (backfill): the screen asks for the whole day again.
REFRESH = b"event: refresh\ndata: {}\n\n"
_REWRITTEN = datetime.min.replace(
    tzinfo=UTC
)  # an Item built from this is REFRESH, sent whatever the subscriber has


@dataclass(frozen=True, slots=True)
class StreamParams:
    symbol: str
    expiry: date
    day: date
    query: TrackerQuery
    baseline: datetime | None


@dataclass(eq=False, slots=True)
class Subscriber:
    params: StreamParams
    seen: datetime | None  # the newest minute this subscriber has or has been queued
    queue: asyncio.Queue[Item] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))


def retry_hint(rng: random.Random | None = None) -> bytes:
    delay = (rng or random).randint(RETRY_MIN_MS, RETRY_MAX_MS)
    return b"retry: %d\n\n" % delay


class LiveHub:
    def __init__(
        self,
        service: MarketData,
        rendered: RenderedCache,
        bus: MinuteBus,
        on_minute: Callable[[MinuteStored], None] | None = None,
    ) -> None:
        self._service = service
        self._rendered = rendered
        self._bus = bus
        self._on_minute = on_minute
        self._subscribers: dict[tuple[str, date, date], set[Subscriber]] = {}
        self._announced: dict[tuple[str, date], datetime] = {}  # the newest minute announced per expiry
        self._task: asyncio.Task[None] | None = None
        self.announcements = 0

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subscribers.values())

    async def start(self) -> None:
        queue = self._bus.subscribe()
        self._task = asyncio.get_running_loop().create_task(self._listen(queue))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def add(self, params: StreamParams, seen: datetime | None) -> Subscriber:
        subscriber = Subscriber(params, seen)
        self._subscribers.setdefault((params.symbol, params.expiry, params.day), set()).add(subscriber)
        return subscriber

    def remove(self, subscriber: Subscriber) -> None:
        key = (subscriber.params.symbol, subscriber.params.expiry, subscriber.params.day)
        group = self._subscribers.get(key)
        if group is not None:
            group.discard(subscriber)
            if not group:
                del self._subscribers[key]

    async def event(self, params: StreamParams, selected: Selected, seen: datetime | None) -> Item | None:
        """The event that brings a subscriber at `seen` up to the newest stored minute (None: nothing new).
        Built once per (parameters, seen, data version) for everyone at that point."""
        minutes = selected.frame.minutes
        if not minutes or (seen is not None and minutes[-1] <= seen):
            return None
        newest = minutes[-1]
        p = params
        key = f"sse:{p.symbol}:{p.expiry}:{p.day}:{p.query}:{p.baseline}:{seen}"
        version = f"{len(minutes)}:{newest}"

        async def build() -> Rendered:
            start = (seen + _ONE_MINUTE) if seen is not None else newest
            tracker = self._service.tracker(selected, p.query, p.baseline, start, newest)
            payload = self._service.summary_payload(selected, p.query, tracker)
            body = b"event: minute\nid: " + newest.isoformat().encode() + b"\ndata: " + json_bytes(payload)
            return render(body + b"\n\n", "text/event-stream")

        built = await self._rendered.get(key, version, build)
        return newest, seen, built.body

    async def _listen(self, queue: asyncio.Queue[MinuteStored]) -> None:
        try:
            while True:
                announced = await queue.get()
                self.announcements += 1
                key = (announced.symbol, announced.expiry)
                newer = key not in self._announced or self._announced[key] < announced.minute
                if newer and not announced.backfilled:
                    self._announced[key] = announced.minute
                if self._on_minute is not None:
                    self._on_minute(announced)
                if announced.backfilled:
                    self._rewritten(announced)
                    continue
                try:
                    await self._announce(announced)
                except Exception:
                    log.warning("live stream: could not build a minute's events", exc_info=True)
        finally:
            self._bus.unsubscribe(queue)

    def _rewritten(self, announced: MinuteStored) -> None:
        """Tell every screen on that day to read it again."""
        group = self._subscribers.get((announced.symbol, announced.expiry, announced.minute.date()))
        for subscriber in list(group or ()):
            if subscriber.queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    subscriber.queue.get_nowait()
            subscriber.queue.put_nowait((announced.minute, _REWRITTEN, REFRESH))

    async def _announce(self, announced: MinuteStored) -> None:
        day = announced.minute.date()
        group = self._subscribers.get((announced.symbol, announced.expiry, day))
        if not group:
            return
        selected = await self._service.select(announced.symbol, announced.expiry, day)
        built: dict[tuple[StreamParams, datetime | None], Item | None] = {}
        # All at once, not paced (core/yield_to_requests.py): queued 32 at a time with waiting requests let in between, the
        # minute reached the streams far later under 0.1 CPU, and the answers were no faster
        # (docs/scaling.md, "The minute job steps aside for waiting requests").
        for subscriber in list(group):
            place = (subscriber.params, subscriber.seen)
            if place not in built:
                built[place] = await self.event(subscriber.params, selected, subscriber.seen)
            item = built[place]
            if item is None:
                continue
            if subscriber.queue.full():  # a slow reader: it catches up from its own last minute instead
                with contextlib.suppress(asyncio.QueueEmpty):
                    subscriber.queue.get_nowait()
            subscriber.queue.put_nowait(item)
            subscriber.seen = item[0]

    async def stream(
        self, params: StreamParams, seen: datetime | None, first: Selected
    ) -> AsyncIterator[bytes]:
        """The bytes of one SSE answer: the retry hint, the catch-up (if any), then each queued minute. The
        subscriber exists only while the answer is being sent (added here, removed when it ends)."""
        subscriber = self.add(params, seen)
        yielded = subscriber.seen
        try:
            if self._older_than_announced(params, first):
                # Selected before a minute was announced, added after the hub queued it for everyone: the
                # opening event must bring that minute, or this stream would wait for the next one.
                first = await self._service.select(params.symbol, params.expiry, params.day)
            item = await self.event(params, first, yielded)
            if item is None:
                yield retry_hint()
            else:
                # What the subscriber has is noted before the yield: the generator pauses at it until the
                # client reads, and the hub must group this subscriber by the minute it is being sent.
                yielded = item[0]
                subscriber.seen = _later(subscriber.seen, yielded)
                # One write with the retry hint: each write is a system call, three per start before.
                yield retry_hint() + item[2]
            while True:
                try:
                    # asyncio.timeout, not wait_for: wait_for wraps the get in a task of its own, a cost for
                    # every subscriber at every minute and heartbeat (1000 of them wake at each minute).
                    async with asyncio.timeout(random.uniform(HEARTBEAT_MIN_SECONDS, HEARTBEAT_MAX_SECONDS)):
                        newest, built_from, data = await subscriber.queue.get()
                except TimeoutError:
                    yield b": heartbeat\n\n"
                    continue
                if built_from is _REWRITTEN:
                    yield data
                    continue
                if yielded is not None and newest <= yielded:
                    continue
                if built_from != yielded:  # missed one: catch up from where this subscriber really is
                    selected = await self._service.select(params.symbol, params.expiry, params.day)
                    catch_up = await self.event(params, selected, yielded)
                    if catch_up is None:
                        continue
                    newest, _, data = catch_up
                yielded = newest
                subscriber.seen = _later(subscriber.seen, yielded)
                yield data
        finally:
            self.remove(subscriber)

    def _older_than_announced(self, params: StreamParams, selected: Selected) -> bool:
        announced = self._announced.get((params.symbol, params.expiry))
        if announced is None or announced.date() != params.day:
            return False
        minutes = selected.frame.minutes
        return not minutes or minutes[-1] < announced


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)
