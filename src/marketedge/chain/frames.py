"""One option chain at one minute as arrays (ChainMinute), its compact binary form, and a day of them (DayFrame).

The binary form is what the database stores and the cache holds: per field and side, integers quantised to the
precision Upstox delivers, delta-encoded along the strikes, byte-shuffled and zlib-compressed. Nulls stay nulls
(a validity bitmap per field and side), never zeros.
"""

from __future__ import annotations

import dataclasses
import struct
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray

from marketedge.core.clock import IST

# Field order is part of the stored format (FORMAT_VERSION); append only.
FIELDS: tuple[str, ...] = (
    "ltp",
    "bid",
    "ask",
    "volume",
    "oi",
    "prev_oi",
    "iv",  # a fraction: 0.142 is 14.2 %
    "delta",
    "gamma",
    "theta",  # per calendar day
    "vega",  # per volatility point
)
FIELD_INDEX = {name: i for i, name in enumerate(FIELDS)}
GREEKS = ("iv", "delta", "gamma", "theta", "vega")
COUNT_FIELDS = ("volume", "oi", "prev_oi")
# Quantum per field and format version: the stored integer is round(value / quantum). Version 2 keeps each
# greek far below a minute's meaningful change (docs/pipeline.md, "Storage precision"); version 1 (Upstox's
# own precision) is still read.
QUANTA = {
    1: np.array([0.01, 0.01, 0.01, 1, 1, 1, 1e-5, 1e-5, 1e-7, 1e-3, 1e-3], dtype=np.float64),
    2: np.array([0.01, 0.01, 0.01, 1, 1, 1, 1e-6, 1e-6, 1e-8, 1e-4, 1e-4], dtype=np.float64),
}
FORMAT_VERSION = 2
QUANTUM = QUANTA[FORMAT_VERSION]
STRIKE_QUANTUM = 0.01
CE, PE = 0, 1
SIDES = ("CE", "PE")
_HEADER = struct.Struct("<BBHdq")  # version, flags, strike count, spot, minute (epoch seconds)
_INT32_MAX = np.iinfo(np.int32).max


class GreeksSource(IntEnum):
    """Where the IV behind a row's greeks came from."""

    # Every greek is our engine's; the source says where the IV it was computed from came from.
    upstox = 0  # Upstox's IV, consistent with the option's price
    engine = 1  # Upstox's IV missing, absurd or inconsistent: implied from the price by our engine
    backfill = 2  # minute rebuilt from candles: the IV implied from the candle's close
    none = 3  # no IV (no usable price): no greeks


@dataclass(frozen=True, slots=True, eq=False)
class ChainMinute:
    """Every strike of one instrument-expiry at one minute. values[field, side, strike]; NaN is null."""

    minute: datetime
    spot: float
    strikes: NDArray[np.float64]
    values: NDArray[np.float64]
    source: NDArray[np.uint8]

    def __post_init__(self) -> None:
        k = self.strikes.shape[0]
        if self.values.shape != (len(FIELDS), 2, k):
            raise ValueError(f"values must have shape {(len(FIELDS), 2, k)}, not {self.values.shape}")
        if self.source.shape != (2, k):
            raise ValueError(f"source must have shape {(2, k)}, not {self.source.shape}")
        if self.minute.tzinfo is None:
            raise ValueError("minute must be an aware datetime")

    def field(self, name: str) -> NDArray[np.float64]:
        """(2, K): CE row then PE row."""
        return self.values[FIELD_INDEX[name]]

    @property
    def strike_count(self) -> int:
        return int(self.strikes.shape[0])


def encode(chain: ChainMinute) -> bytes:
    """The compact, self-describing binary form of one chain minute."""
    k = chain.strike_count
    order = np.argsort(chain.strikes, kind="stable")
    strikes_q = np.rint(chain.strikes[order] / STRIKE_QUANTUM).astype(np.int64)
    values = chain.values[:, :, order]
    valid = np.isfinite(values)
    scaled = np.where(valid, values, 0.0) / QUANTUM[:, None, None]
    quantised = np.clip(np.rint(scaled), -_INT32_MAX, _INT32_MAX).astype(np.int64)
    # Delta-encode along strikes (smooth in strike, so the differences are small), nulls carry the previous value.
    filled = _carry_forward(quantised, valid)
    diffs = np.diff(filled, axis=-1, prepend=0).astype(np.int32)
    strike_diffs = np.diff(strikes_q, prepend=0).astype(np.int32)
    body = b"".join(
        (
            _shuffle(strike_diffs),
            _shuffle(diffs.reshape(-1)),
            np.packbits(valid.reshape(-1)).tobytes(),
            chain.source[:, order].astype(np.uint8).tobytes(),
        )
    )
    header = _HEADER.pack(FORMAT_VERSION, 0, k, float(chain.spot), int(chain.minute.timestamp()))
    return header + zlib.compress(body, 6)


def decode(blob: bytes) -> ChainMinute:
    version, _, k, spot, epoch = _HEADER.unpack_from(blob)
    quantum = QUANTA.get(version)
    if quantum is None:
        raise ValueError(f"unknown chain format version {version}")
    body = zlib.decompress(blob[_HEADER.size :])
    f = len(FIELDS)
    n = f * 2 * k
    offset = 0
    strikes_q = np.cumsum(_unshuffle(body[offset : offset + 4 * k], k), dtype=np.int64)
    offset += 4 * k
    diffs = _unshuffle(body[offset : offset + 4 * n], n).reshape(f, 2, k)
    offset += 4 * n
    valid_bytes = (n + 7) // 8
    valid = (
        np.unpackbits(np.frombuffer(body, np.uint8, valid_bytes, offset), count=n)
        .astype(bool)
        .reshape(f, 2, k)
    )
    offset += valid_bytes
    source = np.frombuffer(body, np.uint8, 2 * k, offset).reshape(2, k).copy()
    values = np.cumsum(diffs, axis=-1, dtype=np.int64) * quantum[:, None, None]
    values[~valid] = np.nan
    return ChainMinute(
        minute=datetime.fromtimestamp(epoch, IST),
        spot=spot,
        strikes=(strikes_q * STRIKE_QUANTUM).astype(np.float64),
        values=values,
        source=source,
    )


def _carry_forward(q: NDArray[np.int64], valid: NDArray[np.bool_]) -> NDArray[np.int64]:
    k = q.shape[-1]
    index = np.where(valid, np.arange(k), 0)
    np.maximum.accumulate(index, axis=-1, out=index)
    # Leading nulls point at position 0, which holds 0 when it is itself null.
    return np.take_along_axis(q, index, axis=-1)


def _shuffle(a: NDArray[np.int32]) -> bytes:
    """Byte planes together (all low bytes, then the next …): small integers compress far better."""
    return np.ascontiguousarray(a.astype("<i4").view(np.uint8).reshape(-1, 4).T).tobytes()


def _unshuffle(raw: bytes, n: int) -> NDArray[np.int64]:
    planes = np.frombuffer(raw, np.uint8, 4 * n).reshape(4, n)
    return np.ascontiguousarray(planes.T).view("<i4").reshape(n).astype(np.int64)


# Row-wise derived arrays kept per day's storage (band inputs, each band's levels): a bound, so that asking for
# many bands cannot grow a day's memory without limit (the least recently used is computed again when asked).
DERIVED_MAX = 48


@dataclass(slots=True, eq=False)
class _Rows:
    """Storage that the frames of one day share. Extending the newest frame with later minutes over the same
    strikes writes the new rows after the last and hands out views, so a stored minute costs its own rows, not
    a copy of the day, which grew with every minute (docs/pipeline.md, "The cache and the freshness rule").
    Rows once written never change; arrays derived from them row by row (rowwise()) grow the same way."""

    values: NDArray[np.float64]  # (capacity, F, 2, K)
    source: NDArray[np.uint8]
    spot: NDArray[np.float64]
    epoch_minutes: NDArray[np.int64]
    filled: int
    derived: OrderedDict[str, tuple[NDArray[np.float64], int]] = dataclasses.field(
        default_factory=OrderedDict
    )

    @classmethod
    def holding(cls, frame: DayFrame, spare: int) -> _Rows:
        return cls._copied(frame.values, frame.source, frame.spot, frame.epoch_minutes, len(frame), spare)

    @classmethod
    def _copied(
        cls,
        values: NDArray[np.float64],
        source: NDArray[np.uint8],
        spot: NDArray[np.float64],
        epoch_minutes: NDArray[np.int64],
        filled: int,
        spare: int,
    ) -> _Rows:
        capacity = filled + spare
        return cls(
            _resized(values, capacity),
            _resized(source, capacity),
            _resized(spot, capacity),
            _resized(epoch_minutes, capacity),
            filled,
        )

    @property
    def capacity(self) -> int:
        return int(self.values.shape[0])

    def grown(self, rows: int) -> _Rows:
        """The same rows (and derived rows) in storage with room for `rows` more."""
        spare = max(rows, 32, self.filled // 4)
        bigger = self._copied(self.values, self.source, self.spot, self.epoch_minutes, self.filled, spare)
        for name, (array, done) in self.derived.items():
            bigger.derived[name] = (_resized(array, bigger.capacity), done)
        return bigger


def _resized(array: NDArray[Any], capacity: int) -> NDArray[Any]:
    out = np.empty((capacity, *array.shape[1:]), array.dtype)
    keep = min(capacity, array.shape[0])
    out[:keep] = array[:keep]
    return out


@dataclass(frozen=True, slots=True, eq=False)
class DayFrame:
    """A trading day of one instrument-expiry, columnar: values[minute, field, side, strike] over the union
    of the day's strikes (NaN where a strike was not listed at that minute)."""

    minutes: tuple[datetime, ...]
    spot: NDArray[np.float64]
    strikes: NDArray[np.float64]
    values: NDArray[np.float64]
    source: NDArray[np.uint8]
    epoch_minutes: NDArray[np.int64] = dataclasses.field(default_factory=lambda: np.empty(0, np.int64))
    # The storage this frame's arrays are the first len(minutes) rows of (None: arrays of its own).
    _rows: _Rows | None = dataclasses.field(default=None, repr=False)

    def __post_init__(self) -> None:
        # Minutes since 1970, for the timeline's integer arithmetic (computed once per frame).
        if self.epoch_minutes.shape[0] != len(self.minutes):
            epoch = np.array([int(m.timestamp() // 60) for m in self.minutes], dtype=np.int64)
            object.__setattr__(self, "epoch_minutes", epoch)

    def rowwise(self, name: str, make: Callable[[DayFrame, int], NDArray[np.float64]]) -> NDArray[np.float64]:
        """An array with one row per minute whose row m depends on the frame's row m alone (and on rows every
        later frame shares, such as a baseline's): make(frame, start) computes rows start…end. Frames extended
        from one another share these rows, so each minute's row is computed once; at most DERIVED_MAX names
        are kept per day. A frame with no storage of its own (built directly, not by extend()) keeps nothing."""
        rows, m = self._rows, len(self)
        if rows is None:
            return make(self, 0)
        found = rows.derived.get(name)
        if found is not None:
            array, done = found
            rows.derived.move_to_end(name)
            if done >= m:
                return array[:m]
        else:
            array, done = np.empty(0), 0
        tail = make(self, done)
        if array.shape[0] != rows.capacity:
            array = (
                _resized(array, rows.capacity)
                if done
                else np.empty((rows.capacity, *tail.shape[1:]), tail.dtype)
            )
        array[done:m] = tail
        rows.derived[name] = (array, m)
        while len(rows.derived) > DERIVED_MAX:
            rows.derived.popitem(last=False)
        return array[:m]

    @classmethod
    def empty(cls) -> DayFrame:
        return cls(
            (), np.empty(0), np.empty(0), np.empty((0, len(FIELDS), 2, 0)), np.empty((0, 2, 0), np.uint8)
        )

    @classmethod
    def from_minutes(cls, chains: list[ChainMinute]) -> DayFrame:
        return cls.empty().extend(chains)

    def __len__(self) -> int:
        return len(self.minutes)

    @property
    def nbytes(self) -> int:
        """The memory this frame keeps alive (its storage's, room for later minutes included)."""
        if self._rows is not None:
            r = self._rows
            held = r.values.nbytes + r.source.nbytes + r.spot.nbytes + r.epoch_minutes.nbytes
            return int(held + self.strikes.nbytes + sum(a.nbytes for a, _ in r.derived.values()))
        return int(self.values.nbytes + self.source.nbytes + self.spot.nbytes + self.strikes.nbytes)

    @property
    def last_minute(self) -> datetime | None:
        return self.minutes[-1] if self.minutes else None

    def head(self, count: int) -> DayFrame:
        """The first `count` minutes, as views (sharing what was derived from them)."""
        if count >= len(self):
            return self
        return DayFrame(
            self.minutes[:count],
            self.spot[:count],
            self.strikes,
            self.values[:count],
            self.source[:count],
            self.epoch_minutes[:count],
            _rows=self._rows,
        )

    def extend(self, chains: list[ChainMinute]) -> DayFrame:
        """A new frame with these minutes added (a minute already present is replaced), in time order."""
        if not chains:
            return self
        if self._appends(chains):
            return self._appended(sorted(chains, key=lambda c: c.minute))
        by_minute = {m: i for i, m in enumerate(self.minutes)}
        new = [c for c in chains if c.minute not in by_minute]
        replaced = [c for c in chains if c.minute in by_minute]
        strikes = np.union1d(self.strikes, np.concatenate([c.strikes for c in chains]))
        base = self._reindexed(strikes)
        values, source = base.values, base.source
        for chain in replaced:
            row = by_minute[chain.minute]
            values[row], source[row] = _place(chain, strikes)
        if new:
            new.sort(key=lambda c: c.minute)
            placed = [_place(c, strikes) for c in new]
            values = np.concatenate([values, np.stack([p[0] for p in placed])])
            source = np.concatenate([source, np.stack([p[1] for p in placed])])
        minutes = base.minutes + tuple(c.minute for c in new)
        spot = np.concatenate([base.spot, [c.spot for c in new]]) if new else base.spot.copy()
        for chain in replaced:
            spot[by_minute[chain.minute]] = chain.spot
        order = np.argsort(np.array([m.timestamp() for m in minutes]), kind="stable")
        if not np.array_equal(order, np.arange(len(minutes))):
            minutes = tuple(minutes[i] for i in order)
            values, source, spot = values[order], source[order], spot[order]
        # A new storage with room for the rest of a session's minutes at one a minute (a frame built from the
        # database at a restart, or after the strikes changed).
        built = DayFrame(minutes, spot, strikes, values, source)
        rows = _Rows.holding(built, spare=max(32, len(minutes) // 4))
        return built._on(rows, len(minutes), minutes)

    def _appends(self, chains: list[ChainMinute]) -> bool:
        """Whether these chains are only later minutes over strikes this frame has, and this frame is the newest
        of its storage: then extending writes their rows after the last and copies nothing."""
        if self._rows is None or self._rows.filled != len(self) or not self.minutes:
            return False
        minutes = sorted(c.minute for c in chains)
        if minutes[0] <= self.minutes[-1] or len(set(minutes)) != len(minutes):
            return False
        return all(np.isin(c.strikes, self.strikes).all() for c in chains)

    def _appended(self, chains: list[ChainMinute]) -> DayFrame:
        rows = self._rows
        assert rows is not None
        m, n = len(self), len(chains)
        if m + n > rows.capacity:
            rows = rows.grown(n)
        for i, chain in enumerate(chains):
            rows.values[m + i], rows.source[m + i] = _place(chain, self.strikes)
            rows.spot[m + i] = chain.spot
            rows.epoch_minutes[m + i] = int(chain.minute.timestamp() // 60)
        rows.filled = m + n
        return self._on(rows, m + n, self.minutes + tuple(c.minute for c in chains))

    def _on(self, rows: _Rows, m: int, minutes: tuple[datetime, ...]) -> DayFrame:
        return DayFrame(
            minutes,
            rows.spot[:m],
            self.strikes,
            rows.values[:m],
            rows.source[:m],
            rows.epoch_minutes[:m],
            _rows=rows,
        )

    def chain_at(self, index: int) -> ChainMinute:
        """The chain of one stored minute (strikes not listed then are left out)."""
        listed = np.isfinite(self.values[index]).any(axis=(0, 1))
        return ChainMinute(
            minute=self.minutes[index],
            spot=float(self.spot[index]),
            strikes=self.strikes[listed],
            values=self.values[index][:, :, listed],
            source=self.source[index][:, listed],
        )

    def _reindexed(self, strikes: NDArray[np.float64]) -> DayFrame:
        if np.array_equal(strikes, self.strikes):
            return DayFrame(self.minutes, self.spot, self.strikes, self.values.copy(), self.source.copy())
        m = len(self.minutes)
        values = np.full((m, len(FIELDS), 2, strikes.shape[0]), np.nan)
        source = np.full((m, 2, strikes.shape[0]), GreeksSource.none, np.uint8)
        positions = np.searchsorted(strikes, self.strikes)
        values[..., positions] = self.values
        source[..., positions] = self.source
        return DayFrame(self.minutes, self.spot, strikes, values, source)


def _place(chain: ChainMinute, strikes: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.uint8]]:
    values = np.full((len(FIELDS), 2, strikes.shape[0]), np.nan)
    source = np.full((2, strikes.shape[0]), GreeksSource.none, np.uint8)
    positions = np.searchsorted(strikes, chain.strikes)
    values[..., positions] = chain.values
    source[..., positions] = chain.source
    return values, source
