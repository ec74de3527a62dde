"""The outage queue: bounded by bytes, spilled to a file past memory, first in first out across both, and a
refused minute counted and logged, never lost without a word."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

import pytest

from marketedge.core.clock import ist
from marketedge.ingest.outage_queue import RUN_RECORD_BYTES, OutageQueue, QueuedMinute, QueuedRun

OPEN = ist(2026, 11, 25, 9, 15)
EXPIRY = date(2026, 11, 26)


def minute(i: int, size: int = 1000) -> QueuedMinute:
    return QueuedMinute(
        "NIFTY", EXPIRY, OPEN + timedelta(minutes=i), 24000.5 + i, 80, bytes([i % 256]) * size
    )


def run(i: int) -> QueuedRun:
    return QueuedRun(
        {
            "minute": OPEN + timedelta(minutes=i),
            "trigger": "schedule",
            "started_at": OPEN + timedelta(minutes=i, seconds=3),
            "duration_ms": 812.5,
            "status": "partial",
            "stored": 0,
            "outcomes": {f"NIFTY:{EXPIRY}": {"status": "queued", "detail": "database unavailable"}},
            "error": None,
        }
    )


def drain(queue: OutageQueue, batch: int) -> list[QueuedMinute | QueuedRun]:
    out: list[QueuedMinute | QueuedRun] = []
    while queue:
        items = queue.peek(batch)
        out += items
        queue.done(len(items))
    return out


def test_memory_first_then_a_file_in_order_and_the_file_removed_once_written(tmp_path: Path) -> None:
    item = minute(0).size
    queue = OutageQueue(memory_bytes=item * 3 + RUN_RECORD_BYTES, file_bytes=10**6, spill_dir=tmp_path)
    added: list[QueuedMinute | QueuedRun] = []
    for i in range(10):
        for thing in (minute(i), run(i)):
            assert queue.add(thing)
            added.append(thing)
    assert queue.spilled and list(tmp_path.iterdir()), "past memory, newer items wait in a file"
    assert queue.minutes == 10 and len(queue) == 20
    assert drain(queue, batch=3) == added, "what went in comes out in the same order, whole"
    assert not queue.spilled and list(tmp_path.iterdir()) == [] and queue.size == 0
    # Memory is used again once the file is gone.
    queue.add(minute(11))
    assert not queue.spilled


def test_a_partly_written_batch_leaves_the_rest_waiting(tmp_path: Path) -> None:
    queue = OutageQueue(memory_bytes=minute(0).size * 2, spill_dir=tmp_path)
    for i in range(6):
        queue.add(minute(i))
    first = queue.peek(4)
    assert [m.minute for m in first if isinstance(m, QueuedMinute)] == [
        OPEN + timedelta(minutes=i) for i in range(4)
    ]
    queue.done(4)  # written
    assert queue.peek(4) == [minute(4), minute(5)] and queue.minutes == 2


def test_past_both_bounds_a_minute_is_refused_counted_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    size = minute(0).size
    queue = OutageQueue(memory_bytes=size, file_bytes=size + 64, spill_dir=tmp_path)
    assert queue.add(minute(0)) and queue.add(minute(1))
    with caplog.at_level(logging.ERROR):
        assert not queue.add(minute(2))
    assert queue.dropped == 1
    assert any("outage queue full" in r.getMessage() and "09:17" in r.getMessage() for r in caplog.records)
    # The run record that says so is still kept, past the bound: it is what records the gap.
    assert queue.add(run(2))
    assert [type(i).__name__ for i in drain(queue, 10)] == ["QueuedMinute", "QueuedMinute", "QueuedRun"]


def test_a_session_of_the_default_universe_fits_in_memory() -> None:
    """375 minutes × 8 chains at the payload size the store measures for the default universe (docs)."""
    per_chain = 6_000  # bytes of a stored chain minute, 90-110 strikes (docs/operations.md)
    queue = OutageQueue()
    for i in range(375):
        for _ in range(8):
            assert queue.add(minute(i, per_chain))
        assert queue.add(run(i))
    assert not queue.spilled and queue.dropped == 0
