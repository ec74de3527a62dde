"""Exactly one poller among replicas on PostgreSQL; another takes over when the leader goes."""

from __future__ import annotations

from marketedge.core.config import normalise_database_url
from marketedge.core.db import Database
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


async def test_while_the_database_is_away_the_last_known_poller_polls_on(postgres_url: str) -> None:
    import asyncio

    url, name = await asyncio.to_thread(fresh_postgres_database, postgres_url)
    first, second = Database(normalise_database_url(url)), Database(normalise_database_url(url))
    away = Database("postgresql+asyncpg://nobody@127.0.0.1:1/away")
    a, b = LeaderLock(first), LeaderLock(second)
    try:
        assert await a.ensure() is True and await b.ensure() is False
        # The database goes: the leader's connection is cut, and neither can reach it any more.
        async with second.engine.connect() as connection:
            await connection.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        a._database, b._database = away, away
        assert await a.ensure() is True, "the last known poller keeps polling (its minutes wait in the queue)"
        assert await b.ensure() is False, "the others stay idle"
        assert await LeaderLock(away).ensure() is True, "a process that never reached it assumes it is alone"
        # The database is back: the lock decides again.
        a._database, b._database = first, second
        assert await b.ensure() is True
        assert await a.ensure() is False
    finally:
        await a.release()
        await b.release()
        for database in (first, second, away):
            await database.dispose()
        await asyncio.to_thread(drop_postgres_database, postgres_url, name)
