"""Migrations go up, down and up again, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import inspect

from marketedge.core.config import normalise_database_url
from marketedge.core.db import make_engine
from marketedge.models import migrate
from tests.conftest import drop_postgres_database, fresh_postgres_database


def _tables(url: str) -> set[str]:
    async def read() -> set[str]:
        engine = make_engine(url)
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        await engine.dispose()
        return names

    return asyncio.run(read())


def _round_trip(url: str) -> None:
    url = normalise_database_url(url)
    head = migrate.head_revision(url)
    assert head == migrate.HEAD, "bump migrate.HEAD to the newest migration"
    assert asyncio.run(migrate.schema_state(url)) == (None, True)
    migrate.upgrade(url)
    assert asyncio.run(migrate.schema_state(url)) == (head, False)
    assert {"audit_event", "app_user", "user_session", "api_key"} <= _tables(url)
    migrate.downgrade(url, "base")
    assert _tables(url) <= {"alembic_version"}
    migrate.upgrade(url)
    assert asyncio.run(migrate.schema_state(url))[0] == head


def test_migrations_round_trip_on_sqlite(tmp_path: Path) -> None:
    _round_trip(f"sqlite:///{tmp_path / 'm.db'}")


def test_migrations_round_trip_on_postgresql(postgres_url: str) -> None:
    url, name = fresh_postgres_database(postgres_url)
    try:
        _round_trip(url)
    finally:
        drop_postgres_database(postgres_url, name)
