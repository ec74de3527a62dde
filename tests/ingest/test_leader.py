"""Exactly one poller among replicas on PostgreSQL; another takes over when the leader goes."""

from __future__ import annotations

from marketedge.config import normalise_database_url
from marketedge.db import Database
from marketedge.ingest.leader import LeaderLock
from tests.conftest import drop_postgres_database, fresh_postgres_database


async def test_one_leader_and_a_takeover(postgres_url: str) -> None:
    import asyncio

    url, name = await asyncio.to_thread(fresh_postgres_database, postgres_url)
    first, second = Database(normalise_database_url(url)), Database(normalise_database_url(url))
    a, b = LeaderLock(first), LeaderLock(second)
    try:
        assert await a.ensure() is True
        assert await b.ensure() is False
        assert await a.ensure() is True, "the leader keeps its lock minute after minute"
        await a.release()  # the leader's process dies: its connection closes
        assert await b.ensure() is True
        assert await a.ensure() is False
    finally:
        await a.release()
        await b.release()
        await first.dispose()
        await second.dispose()
        await asyncio.to_thread(drop_postgres_database, postgres_url, name)


async def test_sqlite_has_one_process_and_always_polls(tmp_path) -> None:  # type: ignore[no-untyped-def]
    database = Database(normalise_database_url(f"sqlite:///{tmp_path / 'x.db'}"))
    try:
        assert await LeaderLock(database).ensure() is True
    finally:
        await database.dispose()
