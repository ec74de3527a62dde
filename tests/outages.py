"""Servers a test can take away and bring back: a Redis of its own (`redis_server`) and a PostgreSQL of its own
(`stoppable_postgres`, migrated, one for the session), for the tests of what degrades while they are away.

Both need the server binaries on this machine (redis-server; PostgreSQL's initdb and pg_ctl); without them the
tests that use them are skipped with the reason. PostgreSQL refuses to run as root: as root, the server runs
as the `postgres` user.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from marketedge.core.config import normalise_database_url
from marketedge.models import migrate


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def wait_until(condition: Callable[[], bool], timeout: float = 10.0, what: str = "the condition") -> None:
    """Poll `condition()` every 20 ms (synchronously: for server start-up and shut-down only)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.02)


class RedisServer:
    """A redis-server process on a port of its own; `stop()` kills it, `start()` brings it back on the same
    port. With `keep_data`, what it held survives a stop (an append-only file, written on every command):
    Redis comes back with what it had, as after a network partition."""

    def __init__(self, binary: str, directory: Path, *, keep_data: bool = False) -> None:
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.keep_data = keep_data
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        persistence = (
            ["--appendonly", "yes", "--appendfsync", "always"] if self.keep_data else ["--appendonly", "no"]
        )
        command = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--daemonize",
            "no",
        ]
        self._process = subprocess.Popen(
            [*command, "--dir", str(self.directory), *persistence],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: _answers(self.port), what=f"redis-server on port {self.port} answering")

    def stop(self) -> None:
        """Gone at once, as a crashed server or a cut network (with keep_data, after writing what it holds)."""
        process, self._process = self._process, None
        if process is None:
            return
        if self.keep_data:
            process.terminate()  # a clean shutdown flushes the append-only file
        else:
            process.kill()
        process.wait(timeout=10)
        wait_until(lambda: not _answers(self.port), what=f"port {self.port} closing")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed: the Redis outage tests start and stop their own")
    server = RedisServer(binary, tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def lasting_redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server that keeps what it holds across a stop and start."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed: the Redis outage tests start and stop their own")
    server = RedisServer(binary, tmp_path, keep_data=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def eventually(
    condition: Callable[[], bool], within: float = 15.0, what: str = "the condition"
) -> None:
    """Wait, yielding to the event loop, until `condition()` holds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {within} s")
        await asyncio.sleep(0.05)


def _postgres_bin() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb is not None:
        return Path(os.path.realpath(initdb)).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """A PostgreSQL cluster of its own in a temporary directory, started and stopped with pg_ctl."""

    def __init__(self, bin_dir: Path, directory: Path, user: str | None) -> None:
        self.bin_dir = bin_dir
        self.directory = directory
        self.port = free_port()
        self._as = ["runuser", "-u", user, "--"] if user else []

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def running(self) -> bool:
        return _answers(self.port)

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self._as, str(self.bin_dir / tool), *args], check=True, capture_output=True, timeout=60
        )

    def init(self) -> None:
        self._run("initdb", "-D", str(self.directory / "data"), "-A", "trust", "-U", "postgres", "--no-sync")

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.directory / "data"),
            "-o",
            options,
            "-l",
            str(self.directory / "log"),
            "-w",
            *args,
        )

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        """Immediate shutdown: open connections drop, new ones are refused."""
        self._ctl("stop", "-m", "immediate")


@pytest.fixture(scope="session")
def stoppable_postgres() -> Iterator[PostgresServer]:
    """A migrated PostgreSQL that tests may stop; each test that stops it starts it again before it ends."""
    bin_dir = _postgres_bin()
    if bin_dir is None or shutil.which("pg_ctl", path=str(bin_dir)) is None:
        pytest.skip(
            "PostgreSQL's initdb and pg_ctl are not installed: the database outage tests need their own"
        )
    user = None
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a `postgres` user to run PostgreSQL as")
        user = "postgres"
    directory = Path(tempfile.mkdtemp(prefix="me-pg-"))
    if user is not None:
        shutil.chown(directory, user)
    server = PostgresServer(bin_dir, directory, user)
    try:
        server.init()
        server.start()
        migrate.upgrade(normalise_database_url(server.url))
        yield server
    finally:
        with contextlib.suppress(Exception):
            server.stop()
        shutil.rmtree(directory, ignore_errors=True)
