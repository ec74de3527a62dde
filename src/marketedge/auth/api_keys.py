"""Personal API keys: `me_` + 43 random characters, shown once; only the SHA-256 is kept; scoped and revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from marketedge.auth.roles import Role, Scope
from marketedge.core import clock
from marketedge.core.errors import Forbidden, NotFound
from marketedge.models.user import ApiKey, User

KEY_PREFIX = "me_"
_TOUCH_EVERY = timedelta(minutes=1)


def key_hash(key: str) -> str:
    # The key carries 256 random bits: a fast hash is enough (no password-style stretching needed).
    return hashlib.sha256(key.encode()).hexdigest()


def looks_like_key(value: str) -> bool:
    return value.startswith(KEY_PREFIX) and 20 <= len(value) <= 128


def allowed_scopes(role: Role) -> set[Scope]:
    return set(Scope) if role is Role.admin else {Scope.read}


async def create_key(
    session: AsyncSession, user: User, name: str, scopes: list[Scope], *, expires_in_days: int | None = None
) -> tuple[ApiKey, str]:
    """The stored key and the key itself (the only time it exists in clear)."""
    wanted = set(scopes) or {Scope.read}
    refused = wanted - allowed_scopes(Role(user.role))
    if refused:
        raise Forbidden(
            f"A {user.role} cannot give a key the scope {', '.join(sorted(refused))}.",
            details={"scopes": sorted(refused)},
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    now = clock.utcnow()
    record = ApiKey(
        user_id=user.id,
        name=name.strip(),
        prefix=key[:10],
        key_hash=key_hash(key),
        scopes=sorted(s.value for s in wanted),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(record)
    await session.flush()
    return record, key


def key_live(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> bool:
    """The rule of a live API key, for the full check (find_key) and the hot path's snapshot
    (auth/credentials.py) alike: not revoked, not past its expiry (if it has one)."""
    return revoked_at is None and (expires_at is None or now < expires_at)


def live_keys(now: datetime) -> ColumnElement[bool]:
    """key_live in SQL, for reading many at once."""
    return and_(ApiKey.revoked_at.is_(None), or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now))


async def find_key(session: AsyncSession, key: str) -> tuple[ApiKey, User] | None:
    if not looks_like_key(key):
        return None
    row = (
        await session.execute(
            select(ApiKey, User).join(User, User.id == ApiKey.user_id).where(ApiKey.key_hash == key_hash(key))
        )
    ).one_or_none()
    if row is None:
        return None
    record, user = row
    now = clock.utcnow()
    if not key_live(record.revoked_at, record.expires_at, now) or not user.is_active:
        return None
    if record.last_used_at is None or now - record.last_used_at >= _TOUCH_EVERY:
        record.last_used_at = now
    return record, user


async def list_keys(session: AsyncSession, user_id: int) -> list[ApiKey]:
    return list(await session.scalars(select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.id)))


async def revoke_key(session: AsyncSession, user_id: int, key_id: int) -> ApiKey:
    record = await session.get(ApiKey, key_id)
    if record is None or record.user_id != user_id:
        raise NotFound(f"You have no API key with id {key_id}.")
    if record.revoked_at is None:
        record.revoked_at = clock.utcnow()
    return record
