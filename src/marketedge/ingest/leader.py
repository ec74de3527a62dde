"""One poller among replicas: a PostgreSQL advisory lock held on its own connection. SQLite has one process.

While the database does not answer, nobody can be asked for the lock: the process that last held it polls on
(its minutes wait in the outage queue), the others stay idle, and a process that has never reached the
database assumes it is the only one (the free host runs one). Replicas that all start during an outage each
poll, then: Upstox is asked more than once, but a minute is stored once (writes are idempotent). When the
database answers again the lock decides as before (docs/operations.md, "The outage queue")."""

from __future__ import annotations

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from marketedge.core.db import Database

log = structlog.get_logger(__name__)

LOCK_KEY = 0x4D45_504F  # "MEPO": Market Edge poller


class LeaderLock:
    """`await ensure()` before each run: True while this process holds the lock (or needs none).

    The lock lives as long as its connection; if the leader dies, PostgreSQL frees it and the next replica's
    ensure() (each minute) takes over."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._connection: AsyncConnection | None = None
        self.is_leader = database.url.startswith("sqlite")
        self._answered = False  # whether the database has ever answered this process's ask

    async def ensure(self) -> bool:
        if self._database.url.startswith("sqlite"):
            return True
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                return True
            except Exception:
                log.warning("lost the poller lock's connection")
                await self._discard()
        try:
            connection = await self._database.engine.connect()
            got = bool(await connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}))
            await connection.commit()
        except Exception as exc:
            polls = self.is_leader or not self._answered
            log.warning(
                "could not ask for the poller lock: the database does not answer",
                error=type(exc).__name__,
                polls_on=polls,
                why="the last known poller" if self.is_leader else "never answered: assumed alone",
            )
            return polls
        self._answered = True
        if got:
            self._connection = connection
            if not self.is_leader:
                log.info("this process now polls (poller lock taken)")
            self.is_leader = True
            return True
        await connection.close()  # no lock taken on it: back to the pool is fine
        self.is_leader = False
        return False

    async def release(self) -> None:
        """Give the lock up (at shutdown)."""
        await self._discard()
        self.is_leader = self._database.url.startswith("sqlite")

    async def _discard(self) -> None:
        """Drop the lock's connection. It is discarded, not returned to the pool: a pooled connection would keep
        the session, and with it the lock. `is_leader` stays: the last known answer while the database is away."""
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.invalidate()
            except Exception:
                log.debug("discarding the poller lock's connection failed", exc_info=True)
