"""A process killed in the middle of a minute leaves no half-written minute behind."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from marketedge.chain.frames import decode
from marketedge.core.config import normalise_database_url
from marketedge.core.db import Database
from marketedge.models import ChainMinuteRecord

ROOT = Path(__file__).resolve().parents[2]


def test_killing_simulate_day_mid_run_leaves_only_whole_minutes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    env = {**os.environ, "DATABASE_URL": url, "LOG_FORMAT": "json", "LOG_LEVEL": "WARNING"}
    command = [
        sys.executable,
        "-m",
        "marketedge.cli",
        "simulate-day",
        "--date",
        "2026-11-25",
        "--symbols",
        "NIFTY",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    database = Database(normalise_database_url(url))
    try:
        deadline = time.monotonic() + 90
        stored = 0
        while stored < 12 and time.monotonic() < deadline:  # let it get well into the day
            time.sleep(0.5)
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            stored = asyncio.run(_count(database)) if (tmp_path / "crash.db").exists() else 0
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        rows = asyncio.run(_rows(database))
    finally:
        if process.poll() is None:
            process.kill()
        asyncio.run(database.dispose())
    per_minute: dict[object, int] = {}
    for minute, payload in rows:
        decode(payload)  # every stored payload is whole
        per_minute[minute] = per_minute.get(minute, 0) + 1
    assert len(per_minute) >= 6
    assert set(per_minute.values()) == {2}, "each minute holds both expiries or nothing"


async def _count(database: Database) -> int:
    try:
        async with database.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(ChainMinuteRecord)) or 0)
    except Exception:
        return 0  # not migrated yet


async def _rows(database: Database) -> list[tuple[object, bytes]]:
    async with database.sessions() as session:
        return [
            (m, p)
            for m, p in await session.execute(select(ChainMinuteRecord.minute, ChainMinuteRecord.payload))
        ]
