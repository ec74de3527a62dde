"""Load test: N simulated traders against the app under a CPU quota and memory limit (a cgroup, as on Render).

    .venv/bin/python benchmarks/load/loadtest.py steady --users 1000 --duration 600 --cpu 0.1   # Render free
    .venv/bin/python benchmarks/load/loadtest.py storm  --users 1000 --cpu 0.1                  # 09:15 storm
    .venv/bin/python benchmarks/load/loadtest.py steady --users 1000 --duration 600 --cpu 0.5   # Starter
    .venv/bin/python benchmarks/load/loadtest.py throughput --cpu 1 --seconds 15                # one full core
    .venv/bin/python benchmarks/load/loadtest.py coldstart --users 1 --runs 5 --cpu 0.1          # waking up

Each user has a session (made in the database beforehand: argon2 sign-ins are measured separately with
--logins), opens the tracker page as the UI does (who am I, and the tracker's opening answer: status,
instruments, days with data and summary in one; with the ETags it already has), holds the live stream, asks status and sessions again every ~5 minutes, changes the
delta band every 1–3 minutes (new summary, stream reopened with Last-Event-ID) and reopens the page every 3–5
minutes. `storm`: every user opens the page within --storm-window seconds, then
holds the stream. `throughput`: wrk (apt install wrk) against one cached summary, one session. `costs`: the
server's CPU per person for each part of an arrival (run it with --cpu 1).

The server (benchmarks/load/serve.py) runs in `run-constrained --cpu C --mem M` pinned to core 0, the client
on core 1; a new minute is stored every --minute-seconds. Prints one Markdown table and, with --write-docs,
puts it into docs/scaling.md between `<!-- load:NAME -->` markers. Bounded: every run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import itertools
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import uvloop

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")
RUN_CONSTRAINED = str(ROOT / "scripts" / "run-constrained")  # the repository's own (cgroups v1 or v2)
DAY = "2026-11-25"
BANDS = [(lo, hi) for lo in (0.05, 0.1, 0.15, 0.2) for hi in (0.4, 0.5, 0.6)]
# What the tracker screen asks when it opens (frontend/src: who am I, and its opening answer: the market's status,
# the instruments, the days with data and the day's summary in one), besides its event stream.
OPEN = ("me", "tracker")
# Every page-data question a user asks (the tracker screen asks the parts again by themselves later).
PAGE = ("me", "tracker", "status", "instruments", "sessions", "summary")
# What an open tracker asks again by itself, at most every 5 minutes with jitter (the stream brings the minutes).
REFRESHED = ("status", "sessions")


# -- preparing the database -------------------------------------------------------------------------------


def prepare(work: Path, users: int, until: str) -> tuple[str, list[str]]:
    """A copy of a simulated morning (made once with `marketedge simulate-day`) and `users` signed-in sessions."""
    template = work / f"template-{DAY}-{until.replace(':', '')}.db"
    if not template.exists():
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{template}", "LOG_LEVEL": "WARNING"}
        subprocess.run(
            [str(ROOT / ".venv/bin/marketedge"), "simulate-day", "--date", DAY, "--until", until],
            check=True,
            env=env,
            cwd=work,
        )
    database = work / "load.db"
    shutil.copy(template, database)
    url = f"sqlite:///{database}"
    tokens = asyncio.run(_sessions(url, users))
    return url, tokens


async def _sessions(url: str, count: int) -> list[str]:
    from marketedge.auth import legal, sessions, users
    from marketedge.auth.roles import Role
    from marketedge.core import clock
    from marketedge.core.config import load_settings
    from marketedge.core.db import Database
    from marketedge.models import Consent

    settings = load_settings(database_url=url, marketedge_env="development", session_idle_minutes=600)
    database = Database(settings.database_url)
    tokens: list[str] = []
    versions = legal.consent_versions()
    try:
        async with database.sessions() as session:
            for i in range(count):
                user = await users.create_user(
                    session, f"trader{i}@load.example.com", None, Role.viewer, check_rules=False
                )
                # They have accepted the privacy notice and terms (CONSENT_REQUIRED is on by default).
                session.add_all(
                    Consent(user_id=user.id, document=d, version=v, given_at=clock.utcnow())
                    for d, v in versions.items()
                )
                new = await sessions.start_session(session, user, settings, ip="127.0.0.1", user_agent="load")
                tokens.append(new.token)
            await session.commit()
    finally:
        await database.dispose()
    return tokens


# -- the server -------------------------------------------------------------------------------------------


def compile_bytecode() -> None:
    """Byte-compile the environment and the app once, as the Docker image does (UV_COMPILE_BYTECODE=1). On a
    machine with PYTHONDONTWRITEBYTECODE=1 (this one) Python never writes .pyc files, so every server start
    would compile each module from source: seconds of CPU that a deployed instance does not spend, counted
    in its cold start and in whatever it imports lazily during the first requests."""
    site = subprocess.run(
        [PY, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Not checked: a package may ship a file that is not Python 3 (never imported), which compileall reports.
    command = [PY, "-m", "compileall", "-q", "-j", "0", site, str(ROOT / "src")]
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    stored_log: Path
    stderr_path: Path
    twin: subprocess.Popen[bytes]
    samples: list[tuple[float, int, float]] = field(default_factory=list)  # time, RSS bytes, CPU seconds
    ready_after: float = float("nan")  # seconds from launch to the first 200 of /health/live (a cold start)

    def pid(self) -> int | None:
        """The Python process inside run-constrained."""
        out = subprocess.run(["pgrep", "-f", f"serve.py.*--port {self.port}"], capture_output=True, text=True)
        pids = [int(p) for p in out.stdout.split()]
        return max(pids) if pids else None


def start_twin(args: argparse.Namespace, epoch: float) -> subprocess.Popen[bytes]:
    """The Upstox twin in its own process on the client's core, outside the server's cgroup (Upstox is not on
    Render's instance either); its clock is the server's (same --start and --epoch)."""
    command = [
        "taskset", "-c", "1", PY, str(ROOT / "benchmarks/load/twin.py"), "--port", str(args.port + 1),
        "--start", f"{DAY}T{args.start}", "--epoch", str(epoch), "--minute-seconds", str(args.minute_seconds),
    ]  # fmt: skip
    twin = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{args.port + 1}/twin/health", timeout=2)
            return twin
        if twin.poll() is not None:
            raise SystemExit("the twin exited")
        time.sleep(0.5)
    os.killpg(twin.pid, signal.SIGKILL)
    raise SystemExit("the twin did not start within 60 s")


def start_server(
    args: argparse.Namespace, url: str, work: Path, token: str, rate_limit: str | None = None
) -> Server:
    """The server under its quota, once it answers; `token` (a user's session) reads the view's expiry."""
    stored_log = work / "stored.jsonl"
    stored_log.unlink(missing_ok=True)
    stderr_path = work / "server.log"
    epoch = time.time()
    twin = start_twin(args, epoch)
    command = [
        RUN_CONSTRAINED,
        "--cpu",
        str(args.cpu),
        "--mem",
        args.mem,
        "--stats",
        "--",
        "taskset",
        "-c",
        "0",
        PY,
        str(ROOT / "benchmarks/load/serve.py"),
        "--database",
        url,
        "--start",
        f"{DAY}T{args.start}",
        "--port",
        str(args.port),
        "--minute-seconds",
        str(args.minute_seconds),
        "--stored-log",
        str(stored_log),
        "--upstox-url",
        f"http://127.0.0.1:{args.port + 1}",
        "--epoch",
        str(epoch),
    ]
    if rate_limit:
        command += ["--rate-limit", rate_limit]
    if args.trace_slow_ms:
        command += ["--trace-slow", str(work / "slow-steps.jsonl"), "--trace-ms", str(args.trace_slow_ms)]
    if args.sample_stacks:
        command += ["--sample-stacks", str(work / "stacks.jsonl")]
    env = {**os.environ, "LOG_LEVEL": args.server_log_level, "SESSION_IDLE_MINUTES": "600"}
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=stderr_path.open("wb"), env=env, start_new_session=True
    )
    launched = time.monotonic()
    server = Server(process, args.port, stored_log, stderr_path, twin)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{args.port}/health/live", timeout=2).status_code == 200:
                server.ready_after = time.monotonic() - launched
                try:
                    resolve_view(args.port, token)
                except BaseException:
                    stop_server(server)
                    raise
                return server
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"server exited: {stderr_path.read_text()[-2000:]}")
        time.sleep(1)
    stop_server(server)
    raise SystemExit("server did not start within 180 s")


def stop_server(server: Server) -> str:
    if server.twin.poll() is None:
        os.killpg(server.twin.pid, signal.SIGTERM)
        server.twin.wait(30)
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(10)
    text = server.stderr_path.read_text(errors="replace")
    found = re.findall(r"run-constrained: .*", text)
    return found[-1] if found else ""


def _proc(pid: int) -> tuple[int, list[str]]:
    """Resident bytes and the /proc stat fields of a process (a few hundred bytes read: no need for a thread)."""
    with open(f"/proc/{pid}/status") as status, open(f"/proc/{pid}/stat") as stat:
        found = re.search(r"VmRSS:\s+(\d+)", status.read())
        return (int(found.group(1)) * 1024 if found else 0), stat.read().rsplit(")", 1)[1].split()


async def sample_server(server: Server, stop: asyncio.Event) -> None:
    pid = None
    tick = os.sysconf("SC_CLK_TCK")
    while not stop.is_set():
        pid = pid or server.pid()
        if pid:
            try:
                rss, fields = _proc(pid)
                cpu = (int(fields[11]) + int(fields[12])) / tick
                server.samples.append((time.time(), rss, cpu))
            except (OSError, AttributeError):
                pid = None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)


# -- the users --------------------------------------------------------------------------------------------


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # (event id minute, received at) of minutes pushed while connected; a stream's first event (the catch-up
    # sent on connecting) is not a delivery of a new minute and is timed as sse_first_event instead
    events: list[tuple[str, float]] = field(default_factory=list)
    sse_opened: int = 0
    sse_first_event: list[float] = field(default_factory=list)
    client_cpu: float = 0.0

    settled: list[float] = field(default_factory=list)  # page data started after the arrivals (see --settle)
    settle_at: float = 0.0
    started: list[tuple[float, float]] = field(default_factory=list)  # page data: (wall start, seconds)

    def record(self, kind: str, seconds: float, status: int) -> None:
        self.latencies.setdefault(kind, []).append(seconds)
        if kind in PAGE:
            self.started.append((time.time() - seconds, seconds))
            if time.monotonic() - seconds >= self.settle_at:
                self.settled.append(seconds)
        counts = self.statuses.setdefault(kind, {})
        counts[status] = counts.get(status, 0) + 1
        if status not in (200, 304):
            self.errors.append(f"{kind}: HTTP {status}")


# The expiry the tracker shows for DAY (the nearest), as the screen resolves it and then names it in every
# summary and stream question; read from the server once it is up (see `resolve_view`).
VIEW = {"expiry": ""}


def resolve_view(port: int, token: str) -> None:
    answer = httpx.get(
        f"http://127.0.0.1:{port}/api/v1/tracker",
        headers={"Cookie": f"me_session={token}"},
        timeout=120,
    )
    VIEW["expiry"] = answer.raise_for_status().json()["summary"]["expiry"]


# The query strings exactly as the screen writes them (frontend/src: queryString over its query objects, in
# their key order), so the hot path sees the same questions as from browsers (it keys on the exact string).
def page_url(what: str, band: tuple[float, float]) -> str:
    lo, hi = band
    view = f"delta_min={lo}&delta_max={hi}&selection=dynamic&interval=1&baseline=09%3A15"
    return {
        "me": "/api/v1/auth/me",
        "status": "/api/v1/status",
        "instruments": "/api/v1/instruments",
        "sessions": "/api/v1/sessions?instrument=NIFTY",
        "summary": f"/api/v1/greeks/summary?instrument=NIFTY&expiry={VIEW['expiry']}&date={DAY}&{view}",
        "tracker": f"/api/v1/tracker?{view}",  # the home page: no index in its address
    }[what]


def stream_url(band: tuple[float, float]) -> str:
    lo, hi = band
    return (
        f"/api/v1/stream?instrument=NIFTY&expiry={VIEW['expiry']}&date={DAY}&delta_min={lo}&delta_max={hi}"
        "&selection=dynamic&baseline=09%3A15&interval=1"
    )


class User:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        streams: aiohttp.ClientSession,
        token: str,
        stats: Stats,
        rng: random.Random,
    ) -> None:
        self.http, self.streams, self.stats, self.rng = http, streams, stats, rng
        self.cookie = {"Cookie": f"me_session={token}", "Accept-Encoding": "gzip"}
        self.etags: dict[str, str] = {}
        self.band = rng.choice(BANDS)
        self.last_event: str | None = None
        self.stream_task: asyncio.Task[None] | None = None

    async def get(self, what: str) -> None:
        url = page_url(what, self.band)
        headers = dict(self.cookie)
        if url in self.etags:
            headers["If-None-Match"] = self.etags[url]
        started = time.perf_counter()
        try:
            async with self.http.get(url, headers=headers) as answer:
                await (
                    answer.read()
                )  # the gzip bytes as sent: decoding them is the browser's work, not the server's
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.stats.record(what, time.perf_counter() - started, 0)
            self.stats.errors[-1] = f"{what}: {type(exc).__name__}"
            return
        self.stats.record(what, time.perf_counter() - started, answer.status)
        if answer.status == 200 and "etag" in answer.headers:
            self.etags[url] = answer.headers["etag"]

    async def open_page(self) -> None:
        await asyncio.gather(*(self.get(what) for what in OPEN))
        self.restart_stream()

    def restart_stream(self) -> None:
        if self.stream_task is not None:
            self.stream_task.cancel()
        self.stream_task = asyncio.create_task(self.stream())

    async def stream(self) -> None:
        lo, hi = self.band
        headers = dict(self.cookie)
        if self.last_event:
            headers["Last-Event-ID"] = self.last_event
        url = stream_url((lo, hi))
        started = time.perf_counter()
        # A new stream's first event is the latest minute, sent at once; a resumed one (Last-Event-ID) has
        # nothing to send until the next minute, which is then a delivery like any other.
        first = "Last-Event-ID" not in headers
        try:
            async with self.streams.get(url, headers=headers) as answer:
                if answer.status != 200:
                    self.stats.record("stream", time.perf_counter() - started, answer.status)
                    return
                self.stats.sse_opened += 1
                async for raw in answer.content:  # one line at a time
                    if raw.startswith(b"id: "):
                        now = time.time()
                        self.last_event = raw[4:].decode().strip()
                        if first:
                            self.stats.sse_first_event.append(time.perf_counter() - started)
                            first = False
                        else:
                            self.stats.events.append((self.last_event, now))
        except asyncio.CancelledError:
            raise
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.stats.errors.append(f"stream: {type(exc).__name__}")

    async def steady(self, until: float) -> None:
        await asyncio.sleep(self.rng.uniform(0, 60))  # arrivals over the first minute
        await self.open_page()
        next_page = time.monotonic() + self.rng.uniform(180, 300)
        next_band = time.monotonic() + self.rng.uniform(60, 180)
        next_refresh = time.monotonic() + self.rng.uniform(270, 330)
        while time.monotonic() < until:
            await asyncio.sleep(1)
            now = time.monotonic()
            if now >= next_page:
                next_page = now + self.rng.uniform(180, 300)
                next_refresh = now + self.rng.uniform(270, 330)
                await self.open_page()
            elif now >= next_refresh:
                next_refresh = now + self.rng.uniform(270, 330)
                await asyncio.gather(*(self.get(what) for what in REFRESHED))
            elif now >= next_band:
                next_band = now + self.rng.uniform(60, 180)
                self.band = self.rng.choice(BANDS)
                await self.get("summary")
                self.restart_stream()
        await self.close()

    async def storm(self, window: float, hold: float) -> None:
        await asyncio.sleep(self.rng.uniform(0, window))
        await self.open_page()
        await asyncio.sleep(hold)
        await self.close()

    async def close(self) -> None:
        if self.stream_task is not None:
            self.stream_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.stream_task


async def run_users(args: argparse.Namespace, tokens: list[str], server: Server) -> Stats:
    stats = Stats(settle_at=time.monotonic() + args.settle)
    cpu_before = sum(os.times()[:2])
    rng = random.Random(args.seed)
    # Page requests: by default each user has its own keep-alive connections, at most 6 like a browser
    # (--connections 0); or everyone shares a pool of N, as a platform's proxy holds towards the service.
    # Streams always have a connection each. aiohttp (C parser, on uvloop) keeps the client's CPU per request
    # well below the server's, so the latencies measured are the server's, not the load generator's queue.
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_server(server, stop))
    base = f"http://127.0.0.1:{args.port}"
    page_timeout = aiohttp.ClientTimeout(total=120)
    stream_timeout = aiohttp.ClientTimeout(total=None, sock_connect=60, sock_read=60)

    def session(limit: int, timeout: aiohttp.ClientTimeout) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(limit=limit, force_close=False)
        return aiohttp.ClientSession(base, connector=connector, timeout=timeout, auto_decompress=False)

    shared = session(args.connections, page_timeout) if args.connections else None
    own = [] if shared else [session(6, page_timeout) for _ in tokens]
    async with session(0, stream_timeout) as streams:
        users = [
            User(shared or own[i], streams, token, stats, random.Random(rng.random()))
            for i, token in enumerate(tokens)
        ]
        if args.scenario == "steady":
            until = time.monotonic() + args.duration
            await asyncio.gather(*(u.steady(until) for u in users))
        else:
            await asyncio.gather(*(u.storm(args.storm_window, args.hold) for u in users))
    for client in [*own, *([shared] if shared else [])]:
        await client.close()
    stop.set()
    await sampler
    stats.client_cpu = sum(os.times()[:2]) - cpu_before
    return stats


async def logins(args: argparse.Namespace, count: int) -> list[float]:
    """Real sign-ins (argon2id) of `count` users with passwords, one after another."""
    from marketedge.auth import users
    from marketedge.auth.roles import Role
    from marketedge.core.config import load_settings
    from marketedge.core.db import Database

    database = Database(load_settings(database_url=args.database_url).database_url)
    password = "load test password 1234"
    async with database.sessions() as session:
        for i in range(count):
            await users.create_user(
                session, f"signin{i}@load.example.com", password, Role.viewer, check_rules=False
            )
        await session.commit()
    await database.dispose()
    took = []
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{args.port}", timeout=60) as http:
        for i in range(count):
            started = time.perf_counter()
            answer = await http.post(
                "/api/v1/auth/login", json={"email": f"signin{i}@load.example.com", "password": password}
            )
            took.append(time.perf_counter() - started)
            if answer.status_code != 200:
                print(f"sign-in {i}: HTTP {answer.status_code}", file=sys.stderr)
    return took


# -- reporting --------------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(
    args: argparse.Namespace,
    stats: Stats,
    server: Server,
    cgroup: str,
    elapsed: float,
    login_times: list[float],
) -> str:
    stored: dict[str, float] = {}
    if server.stored_log.exists():
        for line in server.stored_log.read_text().splitlines():
            item = json.loads(line)
            if item["symbol"] == "NIFTY":
                stored.setdefault(item["minute"], item["stored_at"])
    delays = [received - stored[minute] for minute, received in stats.events if minute in stored]
    page = [x for k in PAGE for x in stats.latencies.get(k, [])]
    requests = sum(len(v) for v in stats.latencies.values())
    rss = [s[1] for s in server.samples]
    cpu_seconds = (server.samples[-1][2] - server.samples[0][2]) if len(server.samples) > 1 else float("nan")
    span = (server.samples[-1][0] - server.samples[0][0]) if len(server.samples) > 1 else float("nan")
    ms = lambda v: f"{v * 1000:,.0f} ms"  # noqa: E731
    rows = [
        (
            "scenario",
            f"{args.scenario}: {args.users} users, "
            + (
                f"{args.duration:.0f} s"
                if args.scenario == "steady"
                else f"all within {args.storm_window:.0f} s, held {args.hold:.0f} s"
            )
            + (f"; the server up {args.up_before:.0f} s before they start" if args.up_before else ""),
        ),
        (
            "server",
            f"run-constrained --cpu {args.cpu} --mem {args.mem}; a minute stored every {args.minute_seconds:g} s",
        ),
        (
            "client connections",
            f"page requests over {args.connections} shared keep-alive connections; streams: one each"
            if args.connections
            else "each user: up to 6 keep-alive connections (a browser) and one stream",
        ),
        ("requests (page data)", f"{requests:,} in {elapsed:.0f} s = {requests / elapsed:,.1f} req/s"),
        (
            "errors",
            f"{len(stats.errors)}"
            + (f" ({', '.join(sorted(set(stats.errors))[:5])})" if stats.errors else ""),
        ),
        (
            "page data p50 / p95 / p99 / max",
            f"{ms(pct(page, 0.5))} / {ms(pct(page, 0.95))} / {ms(pct(page, 0.99))} / {ms(max(page) if page else 0)}",
        ),
    ]
    if args.scenario == "steady":
        rows.append(
            (
                f"page data after the first {args.settle:.0f} s (arrivals over)",
                f"{len(stats.settled):,} requests: p50 {ms(pct(stats.settled, 0.5))}, p95 "
                f"{ms(pct(stats.settled, 0.95))}, p99 {ms(pct(stats.settled, 0.99))}",
            )
        )
    if stored and stats.started:
        rows.append(("page data p99 by when it was asked", _by_minute_phase(stats.started, stored)))
        rows.append(("server CPU (ms/s) by when it was used", _cpu_by_minute_phase(server.samples, stored)))
    for kind in PAGE:
        values = stats.latencies.get(kind, [])
        if not values:
            continue
        codes = ", ".join(f"{c}: {n}" for c, n in sorted(stats.statuses.get(kind, {}).items()))
        rows.append((f"  {kind}", f"p50 {ms(pct(values, 0.5))}, p99 {ms(pct(values, 0.99))} ({codes})"))
    rows += [
        (
            "SSE streams opened / new streams' first event p99",
            f"{stats.sse_opened:,} / {ms(pct(stats.sse_first_event, 0.99))}",
        ),
        (
            "SSE minute delivery (stored → received)",
            f"{len(delays):,} events over {len(stored)} minutes: p50 {ms(pct(delays, 0.5))}, p99 {ms(pct(delays, 0.99))}, max {ms(max(delays) if delays else 0)}; within 5 s: {sum(d <= 5 for d in delays) / max(1, len(delays)):.2%}",
        ),
        (
            "client CPU (the load generator, core 1)",
            f"{stats.client_cpu:,.1f} s over {elapsed:,.0f} s = {stats.client_cpu / elapsed:.0%} of a core",
        ),
        (
            "server start under the quota (launch to the first /health/live answer)",
            f"{server.ready_after:,.0f} s",
        ),
        ("server peak RSS (sampled each second)", f"{max(rss) / 2**20:,.0f} MiB" if rss else "-"),
        (
            "server CPU",
            f"{cpu_seconds:,.1f} s over {span:,.0f} s = {cpu_seconds / span:.1%} of a core"
            if span == span
            else "-",
        ),
        ("cgroup", cgroup.replace("run-constrained: ", "") or "-"),
    ]
    if login_times:
        rows.append(
            (
                "sign-ins (argon2id), one at a time",
                f"{len(login_times)}: p50 {ms(pct(login_times, 0.5))}, max {ms(max(login_times))}",
            )
        )
    load = os.getloadavg()
    rows.append(
        (
            "machine",
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average at the end {load[0]:.1f}; {datetime.now().isoformat(timespec='minutes')}",
        )
    )
    return "\n".join(["| measure | result |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)])


PHASE_SECONDS = 5  # the width of each group of "page data p99 by when it was asked"


def _by_minute_phase(started: list[tuple[float, float]], stored: dict[str, float]) -> str:
    """p99 of page requests grouped by how long after the latest minute was stored they were asked: shows
    whether slow answers cluster behind the minute's work (storing, broadcasting) or are spread out."""
    turns = sorted(stored.values())
    groups: dict[int, list[float]] = {}
    for at, seconds in started:
        i = bisect.bisect_right(turns, at) - 1
        if i >= 0 and at - turns[i] < 60:
            groups.setdefault(int((at - turns[i]) // PHASE_SECONDS), []).append(seconds)
    return "; ".join(
        f"{g * PHASE_SECONDS}–{(g + 1) * PHASE_SECONDS} s: {pct(v, 0.99) * 1000:,.0f} ms ({len(v):,})"
        for g, v in sorted(groups.items())
    )


def _cpu_by_minute_phase(samples: list[tuple[float, int, float]], stored: dict[str, float]) -> str:
    """The server's CPU (ms per second of wall time) grouped the same way: where in the minute its work lands.
    Under a quota of C cores, C x 1000 ms/s is the most it gets; above that, answers wait."""
    turns = sorted(stored.values())
    used: dict[int, list[float]] = {}
    for (t0, _, c0), (t1, _, c1) in itertools.pairwise(samples):
        i = bisect.bisect_right(turns, t0) - 1
        if i >= 0 and t0 - turns[i] < 60 and t1 > t0:
            slot = used.setdefault(int((t0 - turns[i]) // PHASE_SECONDS), [0.0, 0.0])
            slot[0] += c1 - c0
            slot[1] += t1 - t0
    return "; ".join(
        f"{g * PHASE_SECONDS}–{(g + 1) * PHASE_SECONDS} s: {cpu / wall * 1000:,.0f}"
        for g, (cpu, wall) in sorted(used.items())
    )


def write_docs(name: str, table: str, command: str) -> None:
    path = ROOT / "docs" / "scaling.md"
    text = path.read_text()
    block = f"<!-- load:{name} -->\n```\n{command}\n```\n\n{table}\n<!-- /load:{name} -->"
    pattern = re.compile(rf"<!-- load:{re.escape(name)} -->.*?<!-- /load:{re.escape(name)} -->", re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text + "\n" + block + "\n"
    path.write_text(text)


# -- cold start ---------------------------------------------------------------------------------------------


def coldstart(args: argparse.Namespace, url: str, tokens: list[str], work: Path) -> str:
    """`marketedge serve` (the production entrypoint, as the Docker image runs it) launched under the quota
    `--runs` times: seconds from launch to the first 200 of /health/live, and to the first 200 of the tracker's
    opening answer for a signed-in person (what the first visitor of the evening waits for)."""
    epoch = time.time()
    twin = start_twin(args, epoch)
    live: list[float] = []
    tracker: list[float] = []
    stats = ""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MARKETEDGE_ENV": "development",
        "UPSTOX_BASE_URL": f"http://127.0.0.1:{args.port + 1}",
        "LOG_LEVEL": "WARNING",
        "SESSION_IDLE_MINUTES": "600",
        "FRONTEND_DIST": str(ROOT / "frontend" / "dist"),
    }
    try:
        for _ in range(args.runs):
            stderr = (work / "coldstart.log").open("wb")
            command = [
                RUN_CONSTRAINED, "--cpu", str(args.cpu), "--mem", args.mem, "--stats", "--",
                "taskset", "-c", "0", str(ROOT / ".venv/bin/marketedge"), "serve", "--port", str(args.port),
            ]  # fmt: skip
            launched = time.monotonic()
            process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=stderr, env=env, start_new_session=True, cwd=work
            )
            try:
                live.append(_first_200(f"http://127.0.0.1:{args.port}/health/live", {}, launched, process))
                cookie = {"Cookie": f"me_session={tokens[0]}"}
                url_tracker = f"http://127.0.0.1:{args.port}/api/v1/tracker"
                tracker.append(_first_200(url_tracker, cookie, launched, process))
            finally:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(30)
                stderr.close()
            found = re.findall(r"run-constrained: .*", (work / "coldstart.log").read_text(errors="replace"))
            stats = found[-1] if found else stats
    finally:
        os.killpg(twin.pid, signal.SIGTERM)
        twin.wait(30)

    def spread(values: list[float]) -> str:
        ordered = sorted(values)
        return f"{ordered[0]:.1f} / {ordered[len(ordered) // 2]:.1f} / {ordered[-1]:.1f} s"

    return "\n".join(
        [
            "| measure | min / median / max | target |",
            "|---|---|---|",
            f"| launch to the first `/health/live` answer | {spread(live)} | ≤ 8 s |",
            f"| launch to the first tracker answer (`GET /api/v1/tracker`, signed in) | {spread(tracker)} | ≤ 15 s |",
            f"| runs | {len(live)}: `marketedge serve` under run-constrained --cpu {args.cpu} --mem {args.mem} | |",
            f"| machine | {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {platform.python_version()} | |",
        ]
    )


def _first_200(url: str, headers: dict[str, str], launched: float, process: subprocess.Popen[bytes]) -> float:
    """Seconds from `launched` to the first 200 of `url`, asking every 50 ms (each ask waits up to 30 s)."""
    deadline = launched + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, headers=headers, timeout=30).status_code == 200:
                return time.monotonic() - launched
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise SystemExit("the server exited during its cold start")
        time.sleep(0.05)
    raise SystemExit(f"no 200 from {url} within 180 s")


def _wrk(args: argparse.Namespace, path: str, token: str, connections: int) -> str:
    """wrk on core 1 against one URL with one person's session (gzip accepted, as a browser does)."""
    command = [
        "taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{args.seconds}s", "--latency",
        "-H", f"Cookie: me_session={token}", "-H", "Accept-Encoding: gzip", f"http://127.0.0.1:{args.port}{path}",
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _server_cpu(server: Server) -> float:
    pid = server.pid()
    if pid is None:
        return float("nan")
    fields = _proc(pid)[1]
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def throughput(args: argparse.Namespace, url: str, tokens: list[str], work: Path) -> str:
    """Requests a second for one cached tracker answer (100 and 1000 connections), then the server's CPU per
    request for each question a page asks: CPU time from /proc over the requests wrk counted, which does not
    depend on what else the machine is doing (the rate does)."""
    if shutil.which("wrk") is None:
        raise SystemExit("throughput needs wrk (apt-get install wrk)")
    server = start_server(args, url, work, tokens[0], rate_limit="100000000/minute")
    band = (0.1, 0.5)
    try:
        for what in PAGE:  # each answer built once, as after a minute's first asker
            httpx.get(
                f"http://127.0.0.1:{args.port}{page_url(what, band)}",
                headers={"Cookie": f"me_session={tokens[0]}"},
                timeout=60,
            )
        lines = []
        for connections in (100, 1000):
            out = _wrk(args, page_url("summary", band), tokens[0], connections)
            rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
            p99 = re.search(r"99%\s+(\S+)", out)
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            lines.append(
                f"| cached summary, {connections} connections | {float(rate.group(1)) if rate else 0:,.0f} req/s | p99 {p99.group(1) if p99 else '-'} | non-2xx {non2xx.group(1) if non2xx else 0} |"
            )
        for what in PAGE:
            before = _server_cpu(server)
            out = _wrk(args, page_url(what, band), tokens[0], 50)
            used = _server_cpu(server) - before
            done = re.search(r"(\d+) requests in", out)
            count = int(done.group(1)) if done else 0
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            lines.append(
                f"| {what}: server CPU per request | {used / max(1, count) * 1e6:,.0f} µs ({count:,} requests) | {1 / max(used / max(1, count), 1e-9):,.0f} req/s per core | non-2xx {non2xx.group(1) if non2xx else 0} |"
            )
    finally:
        cgroup = stop_server(server)
    load = os.getloadavg()
    return "\n".join(
        [
            f"| hot path, --cpu {args.cpu} | result | derived | errors |",
            "|---|---|---|---|",
            *lines,
            f"| machine | {os.cpu_count()} cores, load average {load[0]:.1f} | {cgroup.replace('run-constrained: ', '')[:120]} | |",
        ]
    )


# What the tracker screen asked on open before /api/v1/tracker (for the `costs` comparison).
OPEN_BEFORE = ("me", "status", "instruments", "sessions", "summary")


def costs(args: argparse.Namespace, url: str, tokens: list[str], work: Path) -> str:
    """The server's CPU (utime + stime from /proc, so the kernel's socket work counts) per person for each part
    of a 09:15 arrival, every user once: the page as the screen opens it now and as it opened before, on
    their own connections (a browser) and over 50 pooled ones (a platform's proxy), a stream's start (its
    own connection, to the first event) and its close, and the idle server. Run it with --cpu 1."""
    server = start_server(args, url, work, tokens[0], rate_limit="100000000/minute")
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {1})
    band = (0.1, 0.5)
    lines: list[str] = []

    async def measure() -> None:
        base = f"http://127.0.0.1:{args.port}"
        gate = asyncio.Semaphore(50)

        def client(limit: int) -> aiohttp.ClientSession:
            timeout = aiohttp.ClientTimeout(total=None)
            connector = aiohttp.TCPConnector(limit=limit)
            return aiohttp.ClientSession(base, connector=connector, timeout=timeout, auto_decompress=False)

        async def ask(http: aiohttp.ClientSession, token: str, what: str) -> None:
            headers = {"Cookie": f"me_session={token}", "Accept-Encoding": "gzip"}
            async with http.get(page_url(what, band), headers=headers) as answer:
                await answer.read()
                if answer.status != 200:
                    raise SystemExit(f"{what}: HTTP {answer.status}")

        async def page(token: str, asks: tuple[str, ...], shared: aiohttp.ClientSession | None) -> None:
            async with gate:
                http = shared or client(6)
                try:
                    await asyncio.gather(*(ask(http, token, what) for what in asks))
                finally:
                    if shared is None:
                        await http.close()

        async def per_person(label: str, work: list[Any]) -> None:
            before = _server_cpu(server)
            await asyncio.gather(*work)
            used = _server_cpu(server) - before
            lines.append(f"| {label} | {used / len(tokens) * 1e6:,.0f} µs |")

        async with client(50) as pooled:
            for what in {*OPEN, *OPEN_BEFORE}:  # every answer built once, as after a minute's first asker
                await ask(pooled, tokens[0], what)
            # Everyone's who-am-I once, unmeasured: the first for a session builds its answer, which would count
            # against whichever page is measured first.
            await asyncio.gather(*(page(t, ("me",), pooled) for t in tokens))
            for asks, name in ((OPEN, "now: " + ", ".join(OPEN)), (OPEN_BEFORE, "before: five requests")):
                await per_person(f"page, {name}; own connections", [page(t, asks, None) for t in tokens])
                await per_person(
                    f"page, {name}; 50 pooled connections", [page(t, asks, pooled) for t in tokens]
                )
            async with client(0) as streams:
                opened: list[aiohttp.ClientResponse] = []

                async def stream(token: str) -> None:
                    async with gate:
                        answer = await streams.get(
                            stream_url(band),
                            headers={"Cookie": f"me_session={token}"},
                        )
                        async for raw in answer.content:
                            if raw.startswith(b"id: "):
                                opened.append(answer)
                                return

                await per_person(
                    "stream start, to its first event (own connection)", [stream(t) for t in tokens]
                )
                before = _server_cpu(server)
                for answer in opened:
                    answer.close()
                await asyncio.sleep(5)
                used = _server_cpu(server) - before
                lines.append(
                    f"| stream close (and 5 s of the server otherwise idle) | {used / len(tokens) * 1e6:,.0f} µs |"
                )
            before = _server_cpu(server)
            await asyncio.sleep(10)
            lines.append(
                f"| idle server, no streams (per second) | {(_server_cpu(server) - before) / 10 * 1e3:.1f} ms |"
            )

    try:
        uvloop.run(measure())
    finally:
        cgroup = stop_server(server)
    load = os.getloadavg()
    return "\n".join(
        [
            f"| server CPU per person ({len(tokens):,} people), --cpu {args.cpu} | result |",
            "|---|---|",
            *lines,
            f"| machine | {os.cpu_count()} cores, load average {load[0]:.1f}; {cgroup.replace('run-constrained: ', '')[:100]} |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("scenario", choices=("steady", "storm", "throughput", "costs", "coldstart"))
    parser.add_argument("--runs", type=int, default=5, help="coldstart: launches to time")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=600, help="steady: seconds (at most 900)")
    parser.add_argument("--storm-window", type=float, default=10)
    parser.add_argument(
        "--settle", type=float, default=120, help="steady: also report latency after this many s"
    )
    parser.add_argument(
        "--hold", type=float, default=70, help="storm: seconds each user holds the stream after"
    )
    parser.add_argument(
        "--up-before",
        type=float,
        default=0,
        help="seconds the server has been up (answering) when the users start; the deployment keeps it "
        "awake from 08:00 (docs/deploy.md), so at 09:15 it is long past its start",
    )
    parser.add_argument("--seconds", type=int, default=15, help="throughput: seconds per wrk run")
    parser.add_argument("--cpu", default="0.1")
    parser.add_argument("--mem", default="512M")
    parser.add_argument("--minute-seconds", type=float, default=60)
    parser.add_argument(
        "--start", default="12:00", help="IST minute the clock starts at (stored up to before it)"
    )
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument(
        "--connections",
        type=int,
        default=0,
        help="page requests share this many keep-alive connections (0: no limit)",
    )
    parser.add_argument("--logins", type=int, default=0, help="real argon2 sign-ins to time after the run")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", default="/tmp/marketedge-load")
    parser.add_argument("--server-log-level", default="INFO")
    parser.add_argument(
        "--trace-slow-ms",
        type=float,
        default=0,
        help="log the server's event-loop steps that use more CPU than this to WORK/slow-steps.jsonl "
        "(on asyncio's loop, not uvloop: a diagnosis, not a measurement)",
    )
    parser.add_argument(
        "--sample-stacks",
        action="store_true",
        help="sample the server's stack every ms of its CPU into WORK/stacks.jsonl (a diagnosis: it slows it)",
    )
    parser.add_argument("--write-docs", metavar="NAME", default=None)
    args = parser.parse_args()
    args.duration = min(args.duration, 900)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    hh, mm = map(int, args.start.split(":"))
    until = f"{hh if mm else hh - 1:02d}:{(mm - 1) % 60:02d}"
    url, tokens = prepare(work, max(1, args.users), until)
    compile_bytecode()
    args.database_url = url
    command = "python benchmarks/load/loadtest.py " + " ".join(sys.argv[1:])
    if args.scenario == "coldstart":
        table = coldstart(args, url, tokens, work)
    elif args.scenario == "throughput":
        table = throughput(args, url, tokens, work)
    elif args.scenario == "costs":
        table = costs(args, url, tokens, work)
    else:
        server = start_server(args, url, work, tokens[0])
        if (os.cpu_count() or 1) > 1:
            os.sched_setaffinity(0, {1})  # the server has core 0 (under its quota); the users, core 1
        time.sleep(args.up_before)
        started = time.monotonic()
        try:
            stats = uvloop.run(run_users(args, tokens, server))
            elapsed = time.monotonic() - started
            login_times = asyncio.run(logins(args, args.logins)) if args.logins else []
        finally:
            cgroup = stop_server(server)
        table = report(args, stats, server, cgroup, elapsed, login_times)
    print(table)
    if args.write_docs:
        write_docs(args.write_docs, table, command)


if __name__ == "__main__":
    main()
