"""What the minute job polled while the database was away: every chain minute (as the bytes the store keeps) and
every run record, in the order they happened, until the database answers again.

Bounded by bytes, not by count: in memory up to `memory_bytes`; past that, everything newer goes to a spill file
(so the order is kept) up to `file_bytes`. Past both, a chain minute is dropped, never silently: a log line, a
count, and an outcome in its run record saying so; the catch-up later rebuilds it from candles. The memory
bound holds more than a session of the default universe (docs/pipeline.md, "The outage queue").
"""

from __future__ import annotations

import os
import struct
import tempfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import orjson
import structlog

log = structlog.get_logger(__name__)

MEMORY_BYTES = 32 * 1024 * 1024
FILE_BYTES = 256 * 1024 * 1024
RUN_RECORD_BYTES = 1024  # what a queued run record is counted as (its outcomes are a few hundred bytes)
_OVERHEAD = 96  # a queued minute's fields besides its payload
_LENGTH = struct.Struct(">II")  # in the spill file: the fields' length, the payload's length


@dataclass(frozen=True, slots=True)
class QueuedMinute:
    """One chain minute as the store writes it (store.write_payload)."""

    symbol: str
    expiry: date
    minute: datetime
    spot: float
    strike_count: int
    payload: bytes

    @property
    def size(self) -> int:
        return len(self.payload) + _OVERHEAD

    @property
    def label(self) -> str:
        return f"{self.symbol}:{self.expiry.isoformat()}"


@dataclass(frozen=True, slots=True)
class QueuedRun:
    """One run record: the ingest_run row's columns."""

    values: dict[str, Any]

    @property
    def size(self) -> int:
        return RUN_RECORD_BYTES


Queued = QueuedMinute | QueuedRun


class OutageQueue:
    """First in, first out: `add` at the back; `peek` the oldest, write them, then `done` forgets them."""

    def __init__(
        self, memory_bytes: int = MEMORY_BYTES, file_bytes: int = FILE_BYTES, spill_dir: Path | None = None
    ) -> None:
        self.memory_bytes = memory_bytes
        self.file_bytes = file_bytes
        self._spill_dir = spill_dir
        self._memory: deque[Queued] = deque()
        self._memory_size = 0
        self._memory_minutes = 0
        self._file: Path | None = None
        self._file_size = 0  # bytes written to the spill file
        self._file_read = 0  # bytes of it already handed back and done
        self._file_items = 0  # items in it not yet done
        self._file_minutes = 0
        self.dropped = 0  # chain minutes refused since the process started

    def __len__(self) -> int:
        return len(self._memory) + self._file_items

    def __bool__(self) -> bool:
        return len(self) > 0

    @property
    def minutes(self) -> int:
        """Chain minutes waiting (run records not counted)."""
        return self._memory_minutes + self._file_minutes

    @property
    def size(self) -> int:
        """Bytes waiting, in memory and in the spill file."""
        return self._memory_size + self._file_size - self._file_read

    @property
    def spilled(self) -> bool:
        return self._file is not None

    def add(self, item: Queued) -> bool:
        """Queue an item; False when there is no room for it (a minute is then dropped, and said so)."""
        if self._file is None and self._memory_size + item.size <= self.memory_bytes:
            self._memory.append(item)
            self._memory_size += item.size
            self._memory_minutes += isinstance(item, QueuedMinute)
            return True
        # A run record is small and says what happened: it is kept even past the file's bound.
        room = isinstance(item, QueuedRun) or self._file_size - self._file_read + item.size <= self.file_bytes
        if room and self._append_to_file(item):
            return True
        if isinstance(item, QueuedMinute):
            self.dropped += 1
            log.error(
                "outage queue full: a polled minute is dropped (a recorded gap; the catch-up rebuilds it)",
                target=item.label,
                minute=item.minute.isoformat(),
                queued=len(self),
                queued_bytes=self.size,
            )
        else:
            log.error("outage queue: a run record could not be kept", minute=str(item.values.get("minute")))
        return False

    def peek(self, count: int) -> list[Queued]:
        """The oldest `count` items (fewer when fewer wait), left in the queue until `done`."""
        items = list(self._take_memory(count))
        if len(items) < count and self._file_items:
            items += [item for _, item in self._read_file(count - len(items))]
        return items

    def done(self, count: int) -> None:
        """The oldest `count` items are written: forget them."""
        while count and self._memory:
            item = self._memory.popleft()
            self._memory_size -= item.size
            self._memory_minutes -= isinstance(item, QueuedMinute)
            count -= 1
        if count:
            for end, item in self._read_file(count):
                self._file_read = end
                self._file_items -= 1
                self._file_minutes -= isinstance(item, QueuedMinute)
        if self._file is not None and not self._file_items:
            self._file.unlink(missing_ok=True)
            self._file, self._file_size, self._file_read = None, 0, 0
            log.info("outage queue: the spill file is written and removed")

    def _take_memory(self, count: int) -> Iterator[Queued]:
        for i, item in enumerate(self._memory):
            if i == count:
                return
            yield item

    def _append_to_file(self, item: Queued) -> bool:
        fields, payload = _encode(item)
        try:
            if self._file is None:
                folder = self._spill_dir or Path(tempfile.gettempdir())
                folder.mkdir(parents=True, exist_ok=True)
                handle, name = tempfile.mkstemp(prefix="marketedge-outage-", suffix=".queue", dir=folder)
                os.close(handle)
                self._file = Path(name)
                log.warning("outage queue: memory is full; newer minutes wait in a file", path=name)
            with self._file.open("ab") as out:
                out.write(_LENGTH.pack(len(fields), len(payload)) + fields + payload)
        except OSError:
            log.error("outage queue: the spill file cannot be written", exc_info=True)
            return False
        self._file_size += _LENGTH.size + len(fields) + len(payload)
        self._file_items += 1
        self._file_minutes += isinstance(item, QueuedMinute)
        return True

    def _read_file(self, count: int) -> Iterator[tuple[int, Queued]]:
        """(the offset after it, the item) for the oldest `count` items in the spill file."""
        assert self._file is not None
        with self._file.open("rb") as source:
            source.seek(self._file_read)
            for _ in range(min(count, self._file_items)):
                item = _read_one(source)
                yield source.tell(), item

    def close(self) -> None:
        """Remove the spill file (the process is ending; what it held is lost with it, as memory is)."""
        if self._file is not None:
            self._file.unlink(missing_ok=True)


def _read_one(source: BinaryIO) -> Queued:
    fields_length, payload_length = _LENGTH.unpack(source.read(_LENGTH.size))
    return _decode(source.read(fields_length), source.read(payload_length))


def _encode(item: Queued) -> tuple[bytes, bytes]:
    if isinstance(item, QueuedMinute):
        fields = {
            "kind": "minute",
            "symbol": item.symbol,
            "expiry": item.expiry.isoformat(),
            "minute": item.minute.isoformat(),
            "spot": item.spot,
            "strike_count": item.strike_count,
        }
        return orjson.dumps(fields), item.payload
    values = {k: _tagged(v) for k, v in item.values.items()}
    return orjson.dumps({"kind": "run", "values": values}), b""


def _tagged(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    return value


def _untagged(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        if "__datetime__" in value:
            return datetime.fromisoformat(value["__datetime__"])
        if "__date__" in value:
            return date.fromisoformat(value["__date__"])
    return value


def _decode(fields_raw: bytes, payload: bytes) -> Queued:
    fields = orjson.loads(fields_raw)
    if fields["kind"] == "minute":
        return QueuedMinute(
            fields["symbol"],
            date.fromisoformat(fields["expiry"]),
            datetime.fromisoformat(fields["minute"]),
            float(fields["spot"]),
            int(fields["strike_count"]),
            payload,
        )
    return QueuedRun({k: _untagged(v) for k, v in fields["values"].items()})
