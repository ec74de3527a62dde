"""Databases for the operations tests: a stored simulated morning with accounts and audit events, and fresh
empty databases of the same kind (SQLite, or PostgreSQL when TEST_DATABASE_URL points at it)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select, table, text

from marketedge.core.clock import UTC, ist
from marketedge.core.config import load_settings, normalise_database_url
from marketedge.core.db import Base, make_engine
from marketedge.ingest.simulate import run_minutes, session_minutes
from marketedge.ingest.universe import set_universe
from marketedge.models import AuditEvent, migrate
from marketedge.runtime import Runtime
from tests.conftest import drop_postgres_database, fresh_postgres_database

DAY = date(2026, 11, 25)
UNTIL = ist(2026, 11, 25, 9, 29)  # 15 minutes of NIFTY's nearest expiry


def _postgres_admin_url() -> str | None:
    wanted = os.environ.get("TEST_DATABASE_URL")
    return wanted if wanted and normalise_database_url(wanted).startswith("postgresql") else None


@pytest.fixture(scope="session")
def make_empty_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], str]]:
    """Makes empty databases of the kind under test (plain URLs); all are dropped at the end."""
    admin = _postgres_admin_url()
    made: list[str] = []

    def make() -> str:
        if admin is not None:
            # It runs its own event loop: off the test's loop, in a thread.
            with ThreadPoolExecutor(1) as pool:
                url, name = pool.submit(fresh_postgres_database, admin).result()
            made.append(name)
            return url
        return f"sqlite:///{tmp_path_factory.mktemp('ops-db') / 'empty.db'}"

    yield make
    for name in made:
        assert admin is not None
        drop_postgres_database(admin, name)


@pytest.fixture(scope="session")
async def stored_day(make_empty_database: Callable[[], str]) -> str:
    """A migrated database holding a simulated morning (through the real minute job), a user, audit events."""
    url = make_empty_database()
    await asyncio.to_thread(migrate.upgrade, normalise_database_url(url))
    settings = load_settings(
        marketedge_env="test", database_url=url, data_source="twin", scheduler_enabled=False
    )
    runtime = await Runtime.create(settings)
    try:
        async with runtime.db.sessions() as session:
            await set_universe(session, ["NIFTY"], expiries=1)
            await session.commit()
        minutes = session_minutes(runtime.calendar, DAY, until=UNTIL)
        assert runtime.twin is not None
        results = await run_minutes(runtime.job, minutes, runtime.twin.state)
        assert all(r.status == "ok" for r in results), [r.error for r in results if r.status != "ok"]
        async with runtime.db.sessions() as session:
            from marketedge.auth import users
            from marketedge.auth.roles import Role

            await users.create_user(session, "ops-admin@example.com", None, Role.admin, check_rules=False)
            for i in range(5):
                session.add(
                    AuditEvent(
                        at=ist(2026, 11, 25, 8, 0).astimezone(UTC) + timedelta(minutes=i),
                        actor="ops-admin@example.com",
                        action="login.success",
                        ip="127.0.0.1",
                        details={"n": i, "note": "ünïcode ✓"},
                    )
                )
            await session.commit()
    finally:
        await runtime.stop()
    return url


async def table_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order (the whole content, for comparisons)."""
    engine = make_engine(normalise_database_url(url))
    out: dict[str, list[tuple[Any, ...]]] = {}
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: sorted(inspect(c).get_table_names()))
            for name in names:
                known = Base.metadata.tables.get(name)
                if known is not None:
                    order = list(known.primary_key.columns) or list(known.columns)
                    rows = (await conn.execute(select(known).order_by(*order))).all()
                else:
                    rows = (await conn.execute(select(text("*")).select_from(table(name)))).all()
                    rows = sorted(rows)
                out[name] = [tuple(r) for r in rows]
    finally:
        await engine.dispose()
    return out


def sqlite_file(url: str) -> Path:
    return Path(url.split(":///", 1)[1])
