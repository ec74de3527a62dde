"""Shared fixtures: a migrated test database (SQLite by default, PostgreSQL when TEST_DATABASE_URL says so),
the cache backend (in-process, or Redis when TEST_REDIS_URL says so), the app and an HTTP client over ASGI.

PostgreSQL and Redis tests are skipped with a reason when those servers are absent, except under CI=true,
where an absent server is a failure."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from marketedge.app import create_app
from marketedge.cache import CacheBackend, MemoryBackend, RedisBackend
from marketedge.core.config import Settings, load_settings, normalise_database_url
from marketedge.core.db import Database
from marketedge.core.logs import configure_logging
from marketedge.models import migrate

pytest_plugins = ["tests.twin_fixtures", "tests.auth_fixtures", "tests.outages"]

configure_logging("INFO", "json")  # the real log pipeline, so tests can read what production would write

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=1):
            return True
    except OSError:
        return False


def need_server(kind: str, url: str) -> str:
    """The URL if that server answers; otherwise skip (or fail in CI, where it must be there)."""
    if reachable(url):
        return url
    message = f"{kind} not reachable at {url}"
    if IN_CI:
        pytest.fail(f"{message}: CI must run these tests")
    pytest.skip(message)


def running(app: FastAPI) -> LifespanManager:
    """An app started and stopped as a server would. The limits are generous on purpose: a loaded CI machine
    can take more than asgi-lifespan's 5 s default to close database pools and Redis, which is no fault."""
    return LifespanManager(app, startup_timeout=60, shutdown_timeout=60)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    return need_server("PostgreSQL", os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES))


@pytest.fixture(scope="session")
def redis_url() -> str:
    return need_server("Redis", os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS))


def fresh_postgres_database(admin_url: str) -> tuple[str, str]:
    """Create an empty database beside the admin one; returns (its URL, its name)."""
    import asyncio

    import asyncpg

    name = f"me_test_{uuid.uuid4().hex[:10]}"
    plain = normalise_database_url(admin_url).replace("postgresql+asyncpg", "postgresql")

    async def create() -> None:
        conn = await asyncpg.connect(plain)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())
    base = plain.rsplit("/", 1)[0]
    return f"{base}/{name}", name


def drop_postgres_database(admin_url: str, name: str) -> None:
    import asyncio

    import asyncpg

    plain = normalise_database_url(admin_url).replace("postgresql+asyncpg", "postgresql")

    async def drop() -> None:
        conn = await asyncpg.connect(plain)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


@pytest.fixture(scope="session")
def empty_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database of the kind under test, made for this session and removed after it."""
    wanted = os.environ.get("TEST_DATABASE_URL")
    if wanted and normalise_database_url(wanted).startswith("postgresql"):
        need_server("PostgreSQL", wanted)
        url, name = fresh_postgres_database(wanted)
        yield url
        drop_postgres_database(wanted, name)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def database_url(empty_database_url: str) -> str:
    """The session's database with every migration applied (tests run the migrations, not create_all)."""
    migrate.upgrade(normalise_database_url(empty_database_url))
    return empty_database_url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """The session's migrated database, for service-level tests (each test uses its own symbols)."""
    db = Database(normalise_database_url(database_url))
    yield db
    await db.dispose()


@pytest.fixture
async def cache_backend(cache_url: str | None) -> AsyncIterator[CacheBackend]:
    """The cache backend under test: in-process, or Redis in the PostgreSQL + Redis pass."""
    if cache_url:
        backend: CacheBackend = RedisBackend(cache_url, prefix=f"test:{uuid.uuid4().hex}:")
    else:
        backend = MemoryBackend()
    yield backend
    await backend.close()


class QueryCounter:
    """Counts the SQL statements an engine runs (to prove a fresh cache answers with none)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.statements: list[str] = []
        self._engine = engine.sync_engine
        event.listen(self._engine, "before_cursor_execute", self._count)

    def _count(self, conn: object, cursor: object, statement: str, *args: object) -> None:
        self.statements.append(statement)

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._count)


@pytest.fixture(scope="session")
def cache_url() -> str | None:
    wanted = os.environ.get("TEST_REDIS_URL") if os.environ.get("TEST_CACHE") == "redis" else None
    if wanted:
        need_server("Redis", wanted)
    return wanted


@pytest.fixture
def settings(database_url: str, cache_url: str | None, tmp_path: Path) -> Settings:
    return load_settings(
        marketedge_env="test",
        database_url=database_url,
        redis_url=cache_url,
        health_cache_seconds=0,
        frontend_dist=tmp_path / "no-ui",
        scheduler_enabled=False,
        cache_prefix=f"t{uuid.uuid4().hex[:12]}:",
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with running(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def clean_calendar(database: Database) -> AsyncIterator[None]:
    """The session's database is shared: a test that reads the calendar from Upstox or overrides it starts, and
    leaves, with nothing stored of it."""
    from sqlalchemy import delete

    from marketedge.models import MarketCalendarYear, MarketDay

    async def forget() -> None:
        async with database.sessions() as session:
            await session.execute(delete(MarketDay))
            await session.execute(delete(MarketCalendarYear))
            await session.commit()

    await forget()
    yield
    await forget()
