"""One poller among replicas: a PostgreSQL advisory lock held on its own connection. SQLite has one process."""

from __future__ import annotations

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from marketedge.db import Database

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

    async def ensure(self) -> bool:
        if self._database.url.startswith("sqlite"):
            return True
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                return True
            except Exception:
                log.warning("lost the poller lock's connection")
                await self.release()
        try:
            connection = await self._database.engine.connect()
            got = bool(await connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}))
            await connection.commit()
        except Exception:
            log.warning("could not ask for the poller lock", exc_info=True)
            return False
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
        """Give the lock up. The connection is discarded, not returned to the pool: a pooled connection would
        keep the session, and with it the lock."""
        connection, self._connection = self._connection, None
        self.is_leader = self._database.url.startswith("sqlite")
        if connection is not None:
            try:
                await connection.invalidate()
            except Exception:
                log.debug("discarding the poller lock's connection failed", exc_info=True)
