"""MinuteCache: the trading day's chain minutes for 24 hours, read through with one freshness rule.

A fresh day is served from the cache; a stale or empty one costs one database load, however many readers wait
on it. Above the bytes a bounded LRU of decoded day frames, extended minute by minute, means a warm read
decodes nothing. With the database away, what the cache holds is served marked stale, and only a day it holds
nothing of fails (docs/pipeline.md, "The cache and the freshness rule").
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import structlog

from marketedge.cache.backends import CacheBackend
from marketedge.chain.calendar import TradingCalendar
from marketedge.chain.frames import DayFrame, decode
from marketedge.chain.store import StoredMinute
from marketedge.core import clock
from marketedge.core.clock import IST
from marketedge.core.errors import database_unavailable
from marketedge.core.single_flight import SingleFlight

log = structlog.get_logger(__name__)

TTL_SECONDS = 24 * 3600
FRESH_WITHIN = timedelta(minutes=2)
DATABASE_AWAY = "database unavailable"  # why a read is stale (the X-Data-Stale header says it)
DATABASE_RETRY_SECONDS = 5.0  # after the database failed a load, stale reads answer without asking it again

DayKey = tuple[str, date, date]  # symbol, expiry, IST day
# Loads stored minutes of one day from the database (only those after `after`, when given).
DayLoader = Callable[[str, date, date, datetime | None], Awaitable[list[StoredMinute]]]


@dataclass(slots=True)
class _Index:
    """What the backend holds for a day: minute offsets (minutes after midnight IST), and up to which
    expected minute the database has been consulted."""

    offsets: np.ndarray
    checked_through: int  # -1 when never loaded from the database

    def encode(self) -> bytes:
        return np.int32(self.checked_through).tobytes() + self.offsets.astype("<i2").tobytes()

    @classmethod
    def decode(cls, raw: bytes | None) -> _Index:
        if not raw:
            return cls(np.empty(0, np.int16), -1)
        return cls(np.frombuffer(raw, "<i2", offset=4).astype(np.int16), int(np.frombuffer(raw, "<i4", 1)[0]))


@dataclass(frozen=True, slots=True)
class DayRead:
    """A day's frame, and why it may lack minutes the freshness rule wants (None: it does not)."""

    frame: DayFrame
    stale: str | None = None


@dataclass(frozen=True, slots=True)
class CacheStats:
    hits: int
    misses: int
    loads: int
    decoded_bytes: int
    decoded_days: int
    stale_reads: int = 0  # stale days served as they were because the database did not answer


class MinuteCache:
    def __init__(
        self,
        backend: CacheBackend,
        loader: DayLoader,
        calendar: TradingCalendar,
        *,
        decoded_max_bytes: int = 96 * 1024 * 1024,
        ttl_seconds: float = TTL_SECONDS,
    ) -> None:
        self._backend = backend
        self._loader = loader
        self._calendar = calendar
        self._decoded: OrderedDict[DayKey, DayFrame] = OrderedDict()
        self._decoded_offsets: dict[DayKey, frozenset[int]] = {}  # the minutes (as offsets) of each frame
        self._decoded_bytes = 0
        self._decoded_max = decoded_max_bytes
        self._ttl = ttl_seconds
        self._loads: SingleFlight[DayKey, None] = SingleFlight()
        self._write_lock = asyncio.Lock()
        self.hits = self.misses = self.load_count = self.stale_reads = 0
        self.database_retry_seconds = DATABASE_RETRY_SECONDS
        self._database_away_until: float | None = None  # time.monotonic(); None while loads succeed

    @property
    def backend(self) -> CacheBackend:
        return self._backend

    def stats(self) -> CacheStats:
        return CacheStats(
            self.hits, self.misses, self.load_count, self._decoded_bytes, len(self._decoded), self.stale_reads
        )

    # -- writing (the minute job, after the database) ------------------------------------------------------

    async def put(
        self, symbol: str, expiry: date, minute: datetime, payload: bytes, *, load_first: bool = True
    ) -> None:
        minute = minute.astimezone(IST)
        key = (symbol, expiry, minute.date())
        if load_first and _Index.decode(await self._backend.get(_index_key(key))).checked_through < 0:
            # First minute of this day in the cache (a new day, or a restart): bring in what the database has,
            # so the cache never holds the afternoon without the morning.
            await self._load_once(key)
        async with self._write_lock:  # one read-modify-write of the index at a time in this process
            await self._backend.set(_blob_key(key, _offset(minute)), payload, self._ttl)
            index = _Index.decode(await self._backend.get(_index_key(key)))
            offsets = np.union1d(index.offsets, [_offset(minute)]).astype(np.int16)
            await self._backend.set(
                _index_key(key), _Index(offsets, index.checked_through).encode(), self._ttl
            )

    async def put_many(self, symbol: str, expiry: date, items: list[tuple[datetime, bytes]]) -> None:
        """Several minutes of one day at once (backfill): one update of the day's index."""
        if not items:
            return
        key = (symbol, expiry, items[0][0].astimezone(IST).date())
        if _Index.decode(await self._backend.get(_index_key(key))).checked_through < 0:
            await self._load_once(key)
        async with self._write_lock:
            for minute, payload in items:
                await self._backend.set(_blob_key(key, _offset(minute)), payload, self._ttl)
            index = _Index.decode(await self._backend.get(_index_key(key)))
            offsets = np.union1d(index.offsets, [_offset(m) for m, _ in items]).astype(np.int16)
            await self._backend.set(
                _index_key(key), _Index(offsets, index.checked_through).encode(), self._ttl
            )

    # -- reading (every endpoint) --------------------------------------------------------------------------

    async def day(self, symbol: str, expiry: date, day: date) -> DayFrame:
        """The day's minutes for one instrument-expiry, fresh per the rule (see `read`)."""
        return (await self.read(symbol, expiry, day)).frame

    async def read(self, symbol: str, expiry: date, day: date) -> DayRead:
        """The day's minutes for one instrument-expiry, fresh per the rule. When the database cannot be reached
        to refresh them: the minutes the cache holds, marked stale; when it holds none, the database's error."""
        key = (symbol, expiry, day)
        index = _Index.decode(await self._backend.get(_index_key(key)))
        fresh = self._is_fresh(day, index)
        if fresh:
            self.hits += 1
        else:
            self.misses += 1
            away = self._database_away_until
            if (
                away is not None and time.monotonic() < away
            ):  # it failed a moment ago: do not wait on it again
                held = await self._held(key, index)
                if held is not None:
                    return self._stale(held)
        try:
            if not fresh:
                await self._load_once(key)
                index = _Index.decode(await self._backend.get(_index_key(key)))
            return DayRead(await self._decoded_frame(key, index))
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            if self._database_away_until is None:
                log.warning(
                    "cache: the database is not answering; serving the minutes held", error=type(exc).__name__
                )
            self._database_away_until = time.monotonic() + self.database_retry_seconds
            held = await self._held(key, index)
            if held is None:
                raise
            return self._stale(held)

    def _stale(self, frame: DayFrame) -> DayRead:
        self.stale_reads += 1
        return DayRead(frame, DATABASE_AWAY)

    async def _held(self, key: DayKey, index: _Index) -> DayFrame | None:
        """The day as far as this process can put it together without the database: its decoded frame and
        whatever minutes the backend holds beyond it. None when that is nothing."""
        frame = self._decoded.get(key)
        have = self._decoded_offsets.get(key, frozenset())
        missing = [o for o in index.offsets.tolist() if o not in have]
        if missing:
            blobs = await self._backend.get_many([_blob_key(key, o) for o in missing])
            chains = [decode(b) for b in blobs if b is not None]
            if chains:
                frame = (frame or DayFrame.empty()).extend(chains)
                self._remember(key, frame)
        return frame if frame is not None and len(frame) else None

    async def warm(self, symbol: str, expiry: date, day: date) -> int:
        """Fill the cache for a day from the database (start-up); returns the minutes held."""
        await self._load_once((symbol, expiry, day))
        return len(await self.day(symbol, expiry, day))

    def expected_minute(self, day: date, now: datetime | None = None) -> datetime | None:
        """The latest minute of `day` that should exist now; None before that day's session opens."""
        now = (now or clock.now()).astimezone(IST)
        session = self._calendar.session(day)
        if session is None or now < session.open:
            return None
        return min(now.replace(second=0, microsecond=0), session.close)

    def _is_fresh(self, day: date, index: _Index) -> bool:
        expected = self.expected_minute(day)
        if expected is None:
            return index.checked_through >= 0 or index.offsets.size > 0
        expected_offset = _offset(expected)
        if index.checked_through >= expected_offset:
            return True  # the database had nothing newer when last asked
        if index.offsets.size == 0:
            return False
        return expected_offset - int(index.offsets[-1]) <= FRESH_WITHIN.total_seconds() // 60

    async def _load_once(self, key: DayKey) -> None:
        """Single flight: concurrent callers for the same day wait on one database load."""
        await self._loads.run(key, lambda: self._load(key))

    async def _load(self, key: DayKey) -> None:
        symbol, expiry, day = key
        self.load_count += 1
        expected = self.expected_minute(day)
        stored = await self._loader(symbol, expiry, day, None)
        for item in stored:
            await self._backend.set(_blob_key(key, _offset(item.minute)), item.payload, self._ttl)
        async with self._write_lock:
            index = _Index.decode(await self._backend.get(_index_key(key)))
            offsets = np.union1d(index.offsets, [_offset(s.minute) for s in stored]).astype(np.int16)
            checked = _offset(expected) if expected is not None else 0
            await self._backend.set(_index_key(key), _Index(offsets, checked).encode(), self._ttl)
        if self._database_away_until is not None:
            self._database_away_until = None
            log.info("cache: the database answers again")
        log.debug("cache loaded day", symbol=symbol, expiry=str(expiry), day=str(day), minutes=len(stored))

    async def _decoded_frame(self, key: DayKey, index: _Index) -> DayFrame:
        frame = self._decoded.get(key)
        have = self._decoded_offsets.get(key, frozenset())
        missing = [o for o in index.offsets.tolist() if o not in have]
        if frame is not None and not missing:  # every read between two minutes: no work
            self._decoded.move_to_end(key)
            return frame
        frame = frame or DayFrame.empty()
        if missing:
            blobs = await self._backend.get_many([_blob_key(key, o) for o in missing])
            chains = [decode(b) for b in blobs if b is not None]
            frame = frame.extend(chains)
            if len(chains) < len(missing):  # evicted or expired under us: reload from the database
                stored = await self._loader(*key, None)
                frame = DayFrame.from_minutes([decode(s.payload) for s in stored])
        self._remember(key, frame)
        return frame

    def _remember(self, key: DayKey, frame: DayFrame) -> None:
        old = self._decoded.pop(key, None)
        if old is not None:
            self._decoded_bytes -= old.nbytes
        self._decoded[key] = frame
        self._decoded_offsets[key] = frozenset(_offset(m) for m in frame.minutes)
        self._decoded_bytes += frame.nbytes
        while self._decoded_bytes > self._decoded_max and len(self._decoded) > 1:
            gone, evicted = self._decoded.popitem(last=False)
            self._decoded_offsets.pop(gone, None)
            self._decoded_bytes -= evicted.nbytes


def _offset(minute: datetime) -> int:
    local = minute.astimezone(IST)
    return local.hour * 60 + local.minute


def _index_key(key: DayKey) -> str:
    symbol, expiry, day = key
    return f"chain:{symbol}:{expiry.isoformat()}:{day.isoformat()}:index"


def _blob_key(key: DayKey, offset: int) -> str:
    symbol, expiry, day = key
    return f"chain:{symbol}:{expiry.isoformat()}:{day.isoformat()}:{offset:04d}"
