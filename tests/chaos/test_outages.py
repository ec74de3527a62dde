"""Chaos during a trading morning: the database down three minutes, Redis down two, the server killed with
SIGKILL in the middle of a minute's run and started again. PostgreSQL and Redis are this test's own, started and
stopped by it; Upstox is the twin over HTTP; the server is `marketedge serve` as production runs it, on a
simulated morning SPEED times as fast as the wall (tests/chaos/chaos_server.py).

What must hold (issue: nothing lost, nothing half-said):
- every minute of the morning is stored for every target by the end: polled live, or written from the outage
  queue when the database came back, or rebuilt from candles by the catch-up (the minutes the server was dead);
- none twice, and every live minute has one run record;
- readers are answered throughout: cached answers or 503, never a 500 (only the seconds the process is dead
  refuse connections);
- sign-in limits hold while Redis is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from marketedge.auth import consent, legal
from marketedge.auth.api_keys import create_key
from marketedge.auth.roles import Role, Scope
from marketedge.auth.users import create_user
from marketedge.chain.store import BACKFILL, LIVE
from marketedge.core.clock import IST, ShiftedClock, ist
from marketedge.core.config import normalise_database_url
from marketedge.core.db import Database
from marketedge.ingest.universe import set_universe, tracked_targets
from marketedge.models import ChainMinuteRecord, IngestRun, migrate
from marketedge.twin.config import TwinConfig
from marketedge.twin.server import TwinServer
from tests.conftest import IN_CI

pytestmark = [pytest.mark.chaos, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SPEED = 20.0  # a simulated minute is three seconds of wall time
DAY = (2026, 11, 25)
START = ist(*DAY, 9, 11)
OPEN = ist(*DAY, 9, 15)
DB_DOWN, DB_UP = ist(*DAY, 9, 20, 30), ist(*DAY, 9, 23, 30)
REDIS_DOWN, REDIS_UP = ist(*DAY, 9, 26, 30), ist(*DAY, 9, 28, 30)
SLOW_CHAINS = ist(
    *DAY, 9, 31, 50
)  # Upstox answers the 09:32 chains a second late (20 s of the simulated day)…
KILL = ist(*DAY, 9, 32, 13)  # …so the kill lands in the middle of that minute's run (it started at :03)
END = ist(*DAY, 9, 42)
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), Path("/nonexistent"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _need(condition: bool, why: str) -> None:
    if not condition:
        if IN_CI:
            pytest.fail(why)
        pytest.skip(why)


class OwnPostgres:
    """A PostgreSQL cluster of the test's own, in a temporary directory (run as `postgres` when we are root)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="me-chaos-pg-"))
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.dir / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(PG_BIN / tool), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.dir / "data"), "-o", options, "-l", str(self.dir / "log"), "-w", "start"
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class OwnRedis:
    def __init__(self) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@dataclass
class Answer:
    at: datetime  # simulated time
    path: str
    status: int | None  # None: no connection (the process was dead)


@dataclass
class Morning:
    clock: ShiftedClock
    anchor: str
    base: str
    answers: list[Answer] = field(default_factory=list)

    def now(self) -> datetime:
        return self.clock.now()

    def wait_for(self, when: datetime) -> None:
        delay = (when - self.now()).total_seconds() / SPEED
        if delay > 0:
            time.sleep(delay)


class Server:
    def __init__(self, port: int, env: dict[str, str], log: Path) -> None:
        self.port, self.env, self.log = port, env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, str(HERE / "chaos_server.py"), "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_live(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, self.log.read_text()[-4000:]
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health/live", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError("the server did not come up:\n" + self.log.read_text()[-4000:])

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _read_throughout(morning: Morning, key: str, stop: threading.Event) -> None:
    """A trader's screen: the chain and the tracker, every half second of wall time, with an API key."""
    paths = ["/api/v1/chain?instrument=NIFTY", "/api/v1/greeks/summary?instrument=NIFTY", "/health/ready"]
    with httpx.Client(base_url=morning.base, headers={"Authorization": f"Bearer {key}"}, timeout=10) as http:
        while not stop.is_set():
            for path in paths:
                try:
                    status: int | None = http.get(path).status_code
                except httpx.TransportError:
                    status = None
                morning.answers.append(Answer(morning.now(), path, status))
            stop.wait(0.5)


async def _prepare(url: str) -> str:
    """The universe (two indices, nearest expiry) and a viewer's API key."""
    database = Database(normalise_database_url(url))
    try:
        async with database.sessions() as session:
            await set_universe(session, ["NIFTY", "BANKNIFTY"], expiries=1)
            user = await create_user(
                session, "reader@chaos.test", "a chaos reader passphrase", Role.viewer, check_rules=False
            )
            await consent.give(session, user.id, user.email, legal.consent_versions(), ip=None)
            _, key = await create_key(session, user, "screen", [Scope.read])
            await session.commit()
        return key
    finally:
        await database.dispose()


async def _stored(url: str) -> tuple[dict[str, dict[datetime, int]], list[IngestRun], int]:
    """Per target: minute → origin; every run record; and the count of rows (duplicates would show here)."""
    database = Database(normalise_database_url(url))
    try:
        async with database.sessions() as session:
            targets = await tracked_targets(session, OPEN.date())
            rows = await session.execute(
                select(
                    ChainMinuteRecord.symbol,
                    ChainMinuteRecord.expiry,
                    ChainMinuteRecord.minute,
                    ChainMinuteRecord.origin,
                )
            )
            stored: dict[str, dict[datetime, int]] = {f"{t.symbol}:{t.expiry}": {} for t in targets}
            for symbol, expiry, minute, origin in rows:
                stored.setdefault(f"{symbol}:{expiry}", {})[minute.astimezone(IST)] = origin
            runs = list(await session.scalars(select(IngestRun).order_by(IngestRun.id)))
            total = int(await session.scalar(select(func.count()).select_from(ChainMinuteRecord)) or 0)
        return stored, runs, total
    finally:
        await database.dispose()


@pytest.fixture
def services() -> Iterator[tuple[OwnPostgres, OwnRedis]]:
    _need((PG_BIN / "initdb").exists(), f"PostgreSQL's server binaries not found ({PG_BIN})")
    _need(shutil.which("redis-server") is not None, "redis-server not found")
    postgres, redis = OwnPostgres(), OwnRedis()
    postgres.start()
    redis.start()
    try:
        yield postgres, redis
    finally:
        redis.stop()
        postgres.remove()


def test_a_morning_of_outages_loses_no_minute_and_never_answers_500(
    services: tuple[OwnPostgres, OwnRedis], tmp_path: Path
) -> None:
    postgres, redis = services
    migrate.upgrade(normalise_database_url(postgres.url))
    key = asyncio.run(_prepare(postgres.url))
    wall = time.time()
    anchor = f"{START.isoformat()}|{wall}|{SPEED}"
    twin = TwinServer(TwinConfig(rate_per_second=None, rate_per_minute=None, rate_per_30_minutes=None))
    twin.start()
    twin.state.clock.use(ShiftedClock(START + timedelta(seconds=(time.time() - wall) * SPEED), SPEED))
    port = _free_port()
    morning = Morning(
        ShiftedClock(START + timedelta(seconds=(time.time() - wall) * SPEED), SPEED),
        anchor,
        f"http://127.0.0.1:{port}",
    )
    env = {
        **os.environ,
        "CHAOS_CLOCK": anchor,
        "MARKETEDGE_ENV": "development",
        "DATA_SOURCE": "upstox",
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis.url,
        "UPSTOX_BASE_URL": twin.url,
        "UPSTOX_ACCESS_TOKEN": twin.state.mint_token("analytics"),
        "UPSTOX_ACCESS_TOKEN_KIND": "analytics",
        "UPSTOX_RATE_LIMITS": "500/1s",  # the simulated day runs 20× faster than Upstox's windows
        "SCHEDULER_ENABLED": "true",
        "FRONTEND_DIST": str(tmp_path / "no-ui"),
        "LOG_FORMAT": "console",
    }
    server = Server(port, env, tmp_path / "server.log")
    stop_reading = threading.Event()
    reader = threading.Thread(target=_read_throughout, args=(morning, key, stop_reading), daemon=True)
    limited_while_redis_down: list[int] = []
    try:
        server.start()
        server.wait_live()
        assert morning.now() < OPEN, "the server took so long to start that it missed the open"
        reader.start()

        morning.wait_for(DB_DOWN)
        postgres.stop()
        morning.wait_for(DB_UP)
        postgres.start()

        morning.wait_for(REDIS_DOWN)
        redis.stop()
        # Sign-in attempts from one address are limited with Redis gone (in-process limits, never open).
        with httpx.Client(base_url=morning.base, timeout=10) as http:
            for _ in range(40):
                answer = http.post(
                    "/api/v1/auth/login", json={"email": "nobody@chaos.test", "password": "wrong password"}
                )
                limited_while_redis_down.append(answer.status_code)
        morning.wait_for(REDIS_UP)
        redis.start()

        morning.wait_for(SLOW_CHAINS)
        twin.state.add_fault("slow", count=2, delay_seconds=1.0, path_prefix="/v2/option/chain")
        morning.wait_for(KILL)
        server.kill()
        server.start()
        server.wait_live()

        morning.wait_for(END)
        # Every minute up to the end rebuilt or written: the catch-up after the restart takes a few seconds.
        last = END - timedelta(minutes=1)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            stored, runs, total = asyncio.run(_stored(postgres.url))
            if all(last in minutes and len(minutes) >= 27 for minutes in stored.values()) and stored:
                break
            time.sleep(1)
    finally:
        stop_reading.set()
        if reader.is_alive():
            reader.join(timeout=15)
        server.stop()
        twin.stop()
    log = (tmp_path / "server.log").read_text()

    stored, runs, total = asyncio.run(_stored(postgres.url))
    session_minutes = [OPEN + timedelta(minutes=i) for i in range(int((END - OPEN).total_seconds() // 60))]
    assert len(stored) == 2, stored.keys()
    for label, minutes in stored.items():
        missing = [m.strftime("%H:%M") for m in session_minutes if m not in minutes]
        assert missing == [], f"{label}: minutes lost {missing}\n{log[-3000:]}"
        # The database's minutes were polled live and written from the queue, not rebuilt from candles.
        assert all(minutes[m] == LIVE for m in session_minutes if DB_DOWN < m < DB_UP), label
        # The minute killed mid-run, and those the server was dead for, were rebuilt from candles.
        assert minutes[KILL.replace(second=0)] == BACKFILL, label
    assert total == sum(len(m) for m in stored.values()), "a minute stored twice"

    live = [r for r in runs if r.trigger == "schedule"]
    per_minute: dict[datetime, int] = {}
    for run in live:
        per_minute[run.minute.astimezone(IST)] = per_minute.get(run.minute.astimezone(IST), 0) + 1
    assert max(per_minute.values()) == 1, "a minute polled twice"
    queued = [r for r in live if any(o["status"] == "queued" for o in r.outcomes.values())]
    assert {r.minute.astimezone(IST).strftime("%H:%M") for r in queued} >= {"09:21", "09:22", "09:23"}, (
        "the run records of the outage's minutes were queued and written"
    )

    answers = morning.answers
    assert answers, "the readers read"
    server_errors = [
        (a.at.strftime("%H:%M:%S"), a.path, a.status)
        for a in answers
        if a.status is not None and a.status >= 500 and a.status != 503
    ]
    assert server_errors == [], server_errors
    reads = [a for a in answers if not a.path.startswith("/health")]
    during_db_outage = [a.status for a in reads if DB_DOWN + timedelta(seconds=20) < a.at < DB_UP]
    assert during_db_outage and 200 in during_db_outage, (
        f"cached answers while the database was away: {during_db_outage}"
    )
    assert set(during_db_outage) <= {200, 503}
    ready_redis_down = [
        a.status
        for a in answers
        if a.path == "/health/ready" and REDIS_DOWN + timedelta(seconds=20) < a.at < REDIS_UP
    ]
    assert ready_redis_down and set(ready_redis_down) == {200}, (
        f"ready while Redis is away: {ready_redis_down}"
    )
    refused = [a for a in answers if a.status is None]
    assert all(KILL - timedelta(seconds=30) < a.at < KILL + timedelta(minutes=5) for a in refused), (
        "connections were refused only while the process was dead"
    )
    assert 429 in limited_while_redis_down, limited_while_redis_down
