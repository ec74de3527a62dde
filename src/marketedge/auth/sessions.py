"""Browser sessions: a random token in an httpOnly cookie, only its SHA-256 in the database; idle and
absolute expiry; revocable one by one or all at once; a CSRF token bound to each session."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from marketedge.core import clock
from marketedge.core.config import Settings
from marketedge.models.user import User, UserSession

SESSION_COOKIE = "me_session"
CSRF_COOKIE = "me_csrf"
CSRF_HEADER = "X-CSRF-Token"
# Writing last_seen_at on every request would make every read a write; a minute is precise enough.
_TOUCH_EVERY = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(secret_key: str, session_id: str) -> str:
    """The session's CSRF token: derived, so nothing more is stored, and useless without the session."""
    digest = hmac.new(secret_key.encode(), f"csrf:{session_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def csrf_matches(secret_key: str, session_id: str, presented: str | None) -> bool:
    # As bytes: compare_digest refuses str with non-ASCII characters, and a header may carry any.
    expected = csrf_token(secret_key, session_id).encode()
    return bool(presented) and hmac.compare_digest(expected, (presented or "").encode())


@dataclass(frozen=True)
class NewSession:
    token: str  # goes into the cookie, and nowhere else
    record: UserSession


async def start_session(
    session: AsyncSession, user: User, settings: Settings, *, ip: str | None, user_agent: str | None
) -> NewSession:
    now = clock.utcnow()
    # Forget sessions that ended a day ago or more, so the table stays the size of the signed-in crowd.
    await session.execute(delete(UserSession).where(UserSession.expires_at < now - timedelta(days=1)))
    token = secrets.token_urlsafe(32)
    record = UserSession(
        id=token_hash(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_max_hours),
        ip=ip,
        user_agent=(user_agent or "")[:256] or None,
    )
    session.add(record)
    await session.flush()
    return NewSession(token, record)


def session_live(
    revoked_at: datetime | None,
    expires_at: datetime,
    last_seen_at: datetime | None,
    now: datetime,
    idle: timedelta,
) -> bool:
    """The rule of a live session, for the full check (find_session) and the hot path's snapshot
    (auth/credentials.py) alike: not revoked, before its absolute limit, used within the idle limit."""
    return revoked_at is None and now < expires_at and (last_seen_at is None or now - last_seen_at < idle)


def live_sessions(now: datetime) -> ColumnElement[bool]:
    """session_live in SQL, for reading many at once; the idle limit is checked per use, as last_seen_at moves."""
    return and_(UserSession.revoked_at.is_(None), UserSession.expires_at > now)


async def find_session(
    session: AsyncSession, token: str, settings: Settings
) -> tuple[UserSession, User] | None:
    """The live session for a cookie token and its active user; None when unknown, revoked or expired."""
    if not token or len(token) > 128:
        return None
    row = (
        await session.execute(
            select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.id == token_hash(token))
        )
    ).one_or_none()
    if row is None:
        return None
    record, user = row
    now = clock.utcnow()
    idle = timedelta(minutes=settings.session_idle_minutes)
    if (
        not session_live(record.revoked_at, record.expires_at, record.last_seen_at, now, idle)
        or not user.is_active
    ):
        return None
    if now - record.last_seen_at >= _TOUCH_EVERY:
        record.last_seen_at = now
    return record, user


async def revoke_session(session: AsyncSession, record: UserSession) -> None:
    record.revoked_at = clock.utcnow()


async def revoke_user_sessions(session: AsyncSession, user_id: int, *, keep: str | None = None) -> None:
    """End every session of a user (password change, disable), except `keep` (the one asking)."""
    query = update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep)
    await session.execute(query.values(revoked_at=clock.utcnow()))


async def list_sessions(session: AsyncSession, user_id: int) -> list[UserSession]:
    query = select(UserSession).where(UserSession.user_id == user_id).order_by(UserSession.created_at)
    return list(await session.scalars(query))
