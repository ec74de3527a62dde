"""The rules of a live session and a live key exist once, in Python (for one credential) and in SQL (for the hot
path's snapshot of them all): on a real database both forms pick the same rows."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta

from sqlalchemy import select

from marketedge.auth import api_keys, sessions
from marketedge.core import clock
from marketedge.core.db import Database
from marketedge.models.user import ApiKey, UserSession
from tests.auth_fixtures import make_user

HOUR = timedelta(hours=1)
NOT_IDLE = timedelta(days=365)  # the SQL form leaves the idle limit to each use


async def test_sessions_python_and_sql_agree(database: Database) -> None:
    user = await make_user(database)
    now = clock.utcnow()
    cases = list(itertools.product([None, now - HOUR], [now - HOUR, now + HOUR]))  # revoked_at, expires_at
    ids = {}
    async with database.sessions() as session:
        for revoked_at, expires_at in cases:
            sid = uuid.uuid4().hex
            ids[sid] = (revoked_at, expires_at)
            session.add(
                UserSession(
                    id=sid,
                    user_id=user.id,
                    created_at=now - 2 * HOUR,
                    last_seen_at=now,
                    expires_at=expires_at,
                    revoked_at=revoked_at,
                )
            )
        await session.commit()
        by_sql = set(
            await session.scalars(
                select(UserSession.id).where(UserSession.id.in_(ids), sessions.live_sessions(now))
            )
        )
    by_python = {sid for sid, (r, e) in ids.items() if sessions.session_live(r, e, now, now, NOT_IDLE)}
    assert by_sql == by_python and len(by_python) == 1


async def test_keys_python_and_sql_agree(database: Database) -> None:
    user = await make_user(database)
    now = clock.utcnow()
    cases = list(itertools.product([None, now - HOUR], [None, now - HOUR, now + HOUR]))
    hashes = {}
    async with database.sessions() as session:
        for revoked_at, expires_at in cases:
            digest = uuid.uuid4().hex
            hashes[digest] = (revoked_at, expires_at)
            session.add(
                ApiKey(
                    user_id=user.id,
                    name="rule",
                    prefix="me_rule",
                    key_hash=digest,
                    scopes=["read"],
                    created_at=now - 2 * HOUR,
                    expires_at=expires_at,
                    revoked_at=revoked_at,
                )
            )
        await session.commit()
        by_sql = set(
            await session.scalars(
                select(ApiKey.key_hash).where(ApiKey.key_hash.in_(hashes), api_keys.live_keys(now))
            )
        )
    by_python = {h for h, (r, e) in hashes.items() if api_keys.key_live(r, e, now)}
    assert by_sql == by_python and len(by_python) == 2


def test_a_session_idle_too_long_is_not_live() -> None:
    now = clock.utcnow()
    idle = timedelta(minutes=30)
    assert sessions.session_live(None, now + HOUR, now - timedelta(minutes=29), now, idle)
    assert not sessions.session_live(None, now + HOUR, now - timedelta(minutes=30), now, idle)
