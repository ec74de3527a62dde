"""The snapshot of live sessions and keys behind the hot path: the viewer rules of auth/deps.py, one
refresh to see a revocation, and the last-seen times written back for sessions used only on the hot path."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from marketedge.auth import sessions
from marketedge.auth.credentials import Credentials
from marketedge.auth.roles import Role, Scope
from marketedge.core import clock
from marketedge.core.db import Database
from marketedge.models.user import User, UserSession
from tests.auth_fixtures import api_key_for, make_user, start_session


def snapshot(database: Database) -> Credentials:
    return Credentials(database, idle=timedelta(minutes=60), refresh_seconds=30)


async def test_live_sessions_and_read_keys_are_known_after_a_refresh(
    app: FastAPI, database: Database
) -> None:
    viewer = await make_user(database, Role.viewer)
    token, _ = await start_session(app, database, viewer)
    read_key = await api_key_for(database, viewer, [Scope.read])
    admin = await make_user(database, Role.admin)
    ingest_key = await api_key_for(database, admin, [Scope.ingest])
    known = snapshot(database)
    assert known.session_user(token) is None  # never refreshed: nothing is vouched for
    await known.refresh()
    assert known.session_user(token) == viewer.id and known.key_user(read_key) == viewer.id
    assert known.key_user(ingest_key) is None  # the ingest scope does not read market data
    assert known.session_user("not-a-token") is None


async def test_revoked_disabled_or_pending_users_drop_out_at_the_next_refresh(
    app: FastAPI, database: Database
) -> None:
    revoked, disabled = await make_user(database), await make_user(database)
    pending = await make_user(database, must_change_password=True)
    tokens = {u.id: (await start_session(app, database, u))[0] for u in (revoked, disabled, pending)}
    known = snapshot(database)
    await known.refresh()
    assert (
        known.session_user(tokens[revoked.id]) == revoked.id
        and known.session_user(tokens[pending.id]) is None
    )
    async with database.sessions() as session:
        record = await session.get(UserSession, sessions.token_hash(tokens[revoked.id]))
        assert record is not None
        await sessions.revoke_session(session, record)
        user = await session.get(User, disabled.id)
        assert user is not None
        user.is_active = False
        await session.commit()
    assert known.session_user(tokens[revoked.id]) == revoked.id  # until the next refresh (HOT_GRANT_SECONDS)
    await known.refresh()
    assert known.session_user(tokens[revoked.id]) is None and known.session_user(tokens[disabled.id]) is None


async def test_sessions_used_on_the_hot_path_are_kept_from_idling_out(
    app: FastAPI, database: Database
) -> None:
    user = await make_user(database)
    token, _ = await start_session(app, database, user)
    async with database.sessions() as session:  # last seen by the full check half an hour ago
        record = await session.get(UserSession, sessions.token_hash(token))
        assert record is not None
        record.last_seen_at = clock.utcnow() - timedelta(minutes=30)
        await session.commit()
    known = snapshot(database)
    await known.refresh()
    before = clock.utcnow()
    assert known.session_user(token) == user.id
    await known.refresh()  # writes last_seen_at for what was used since the last one
    async with database.sessions() as session:
        record = await session.get(UserSession, sessions.token_hash(token))
        assert record is not None and record.last_seen_at >= before - timedelta(seconds=1)


async def test_with_consent_required_only_sessions_with_a_standing_consent_are_vouched_for(
    app: FastAPI, database: Database
) -> None:
    """Else a person who has not accepted the privacy notice would get the hot path's answers (the gate in
    auth/deps.py applies to sessions, so keys are left as they are)."""
    from marketedge.auth import consent, legal

    agreed, stranger = await make_user(database), await make_user(database, consented=False)
    tokens = {u.id: (await start_session(app, database, u))[0] for u in (agreed, stranger)}
    stranger_key = await api_key_for(database, stranger, [Scope.read])
    known = Credentials(database, idle=timedelta(minutes=60), refresh_seconds=30, consent_required=True)
    await known.refresh()
    assert known.session_user(tokens[agreed.id]) == agreed.id
    assert known.session_user(tokens[stranger.id]) is None
    assert known.key_user(stranger_key) == stranger.id
    ungated = snapshot(database)
    await ungated.refresh()
    assert ungated.session_user(tokens[stranger.id]) == stranger.id

    async with database.sessions() as session:
        await consent.give(session, stranger.id, stranger.email, legal.consent_versions(), ip=None)
        await session.commit()
    await known.refresh()
    assert known.session_user(tokens[stranger.id]) == stranger.id
    async with database.sessions() as session:
        await consent.withdraw(session, agreed.id, agreed.email, ip=None)
        await session.commit()
    await known.refresh()
    assert known.session_user(tokens[agreed.id]) is None
