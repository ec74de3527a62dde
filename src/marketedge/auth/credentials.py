"""Who may read market data right now, held in memory for the hot path: every live session and API key that
passes the viewer check, read from the database in one query per table every `refresh_seconds`.

At 0.1 CPU a database read per new caller is the cost that sinks a crowd (the 09:15 storm: a thousand people
arriving within seconds, each with a session made hours earlier). With this snapshot their first request
(and, with CONSENT_REQUIRED on, a session's `GET /api/v1/auth/me`) is answered from memory too, under the
rules `auth/deps.py` applies to a viewer route (docs/scaling.md, "The serving path", "Who is asking").
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
import structlog
from sqlalchemy import Select, and_, func, or_, select, update

from marketedge.auth import api_keys, legal, sessions
from marketedge.auth.roles import Role, Scope
from marketedge.auth.schemas import MeConsent, MeRead, UserRead
from marketedge.core import clock
from marketedge.core.db import Database
from marketedge.models import Consent
from marketedge.models.user import ApiKey, User, UserSession

log = structlog.get_logger(__name__)

_READ_SCOPES = {Scope.read.value, Scope.admin.value}
_VIEWER_ROLES = [r.value for r in Role if r.includes(Role.viewer)]
_TOUCH_CHUNK = 500


@dataclass(slots=True)
class _Entry:
    user_id: int
    expires_at: datetime | None
    last_seen_at: datetime | None  # sessions: for the idle limit
    user: tuple[object, ...] | None = None  # sessions: the user's _USER_COLUMNS as of the refresh
    me: bytes | None = None  # sessions: the /auth/me answer, built on the first ask


# The user's columns that /auth/me shows (UserRead), read with each session.
_USER_COLUMNS = (
    User.id,
    User.email,
    User.role,
    User.is_active,
    User.must_change_password,
    User.created_at,
    User.last_login_at,
)


class Credentials:
    def __init__(
        self,
        database: Database,
        *,
        idle: timedelta,
        refresh_seconds: float,
        consent_required: bool = False,
        secret_key: str | None = None,
    ) -> None:
        self._database = database
        self._secret_key = secret_key  # for the CSRF token in /auth/me (None: never answer it here)
        self._idle = idle
        self._consent_required = consent_required
        self.refresh_seconds = refresh_seconds
        self._sessions: dict[str, _Entry] = {}
        self._keys: dict[str, _Entry] = {}
        self._seen_sessions: set[str] = set()
        self._seen_keys: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        self._good_until = 0.0  # time.monotonic(): a snapshot the database has not confirmed lately is unused
        self._epoch = 0  # moved by invalidate(): a refresh that began before it must not vouch afterwards
        self._now_task: asyncio.Task[None] | None = None
        self.refreshes = 0

    async def start(self) -> None:
        await self.refresh()
        self._task = asyncio.get_running_loop().create_task(self._every())

    async def stop(self) -> None:
        if self._now_task is not None:
            self._now_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._now_task
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(Exception):
            await self._touch()

    @property
    def current(self) -> bool:
        return time.monotonic() < self._good_until

    def invalidate(self) -> None:
        """Sessions or keys were revoked here (and committed): vouch for nobody until the database has been read
        again, which starts now. Meanwhile every request takes the full check."""
        self._epoch += 1
        self._good_until = 0.0
        if self._task is not None and (self._now_task is None or self._now_task.done()):
            self._now_task = asyncio.get_running_loop().create_task(self._refresh_logged())

    def session_me(self, token: str) -> tuple[int, bytes] | None:
        """The user and the /auth/me answer for a live session the snapshot vouches for (None: the full path
        answers)."""
        if not self._consent_required or self._secret_key is None:
            return None  # without the gate the snapshot does not know whether consent is current
        live = self._live_session(token)
        if live is None:
            return None
        digest, entry = live
        if entry.user is None:
            return None
        if entry.me is None:
            answer = MeRead(
                user=UserRead.model_validate(dict(zip(_USER_FIELDS, entry.user, strict=True))),
                consent=MeConsent(required=True, current=True, needed=False),
                via="session",
                csrf_token=sessions.csrf_token(self._secret_key, digest),
                session_expires_at=entry.expires_at,
            )
            entry.me = orjson.dumps(answer.model_dump(mode="json"))
        return entry.user_id, entry.me

    def session_user(self, token: str) -> int | None:
        """The user of a live session cookie, by the snapshot (None: unknown here; the full check decides)."""
        live = self._live_session(token)
        return live[1].user_id if live is not None else None

    def _live_session(self, token: str) -> tuple[str, _Entry] | None:
        """The digest and entry of a session the snapshot vouches for, marked as used (for last_seen_at)."""
        if not self.current or not token or len(token) > 128:
            return None
        digest = sessions.token_hash(token)
        entry = self._sessions.get(digest)
        now = clock.utcnow()
        if entry is None or entry.expires_at is None:
            return None
        if not sessions.session_live(None, entry.expires_at, entry.last_seen_at, now, self._idle):
            return None
        self._seen_sessions.add(digest)
        return digest, entry

    def key_user(self, key: str) -> int | None:
        if not self.current or not api_keys.looks_like_key(key):
            return None
        digest = api_keys.key_hash(key)
        entry = self._keys.get(digest)
        if entry is None or not api_keys.key_live(None, entry.expires_at, clock.utcnow()):
            return None
        self._seen_keys.add(digest)
        return entry.user_id

    async def refresh(self) -> None:
        """Touch what was used, then read the live sessions and keys again (one query each)."""
        epoch = self._epoch
        await self._touch()
        now = clock.utcnow()
        allowed = and_(
            User.is_active.is_(True), User.must_change_password.is_(False), User.role.in_(_VIEWER_ROLES)
        )
        live_sessions = and_(sessions.live_sessions(now), allowed)
        if self._consent_required:
            live_sessions = and_(live_sessions, UserSession.user_id.in_(_consenting_users()))
        async with self._database.sessions() as session:
            session_rows = await session.execute(
                select(UserSession.id, UserSession.expires_at, UserSession.last_seen_at, *_USER_COLUMNS)
                .join(User, User.id == UserSession.user_id)
                .where(live_sessions)
            )
            key_rows = await session.execute(
                select(ApiKey.key_hash, ApiKey.user_id, ApiKey.expires_at, ApiKey.scopes)
                .join(User, User.id == ApiKey.user_id)
                .where(api_keys.live_keys(now), allowed)
            )
            fresh_sessions = {
                sid: _Entry(user[0], expires, seen, tuple(user)) for sid, expires, seen, *user in session_rows
            }
            fresh_keys = {
                digest: _Entry(uid, expires, None)
                for digest, uid, expires, scopes in key_rows
                if _READ_SCOPES & set(scopes or ())
            }
        self._sessions, self._keys = fresh_sessions, fresh_keys
        if epoch == self._epoch:  # no revocation while reading: what was read is still true
            self._good_until = time.monotonic() + 3 * self.refresh_seconds
        self.refreshes += 1

    async def _touch(self) -> None:
        seen_sessions, self._seen_sessions = self._seen_sessions, set()
        seen_keys, self._seen_keys = self._seen_keys, set()
        if not seen_sessions and not seen_keys:
            return
        now = clock.utcnow()
        async with self._database.sessions() as session:
            for chunk in _chunks(sorted(seen_sessions)):
                await session.execute(
                    update(UserSession)
                    .where(UserSession.id.in_(chunk), UserSession.revoked_at.is_(None))
                    .values(last_seen_at=now)
                )
            for chunk in _chunks(sorted(seen_keys)):
                await session.execute(
                    update(ApiKey).where(ApiKey.key_hash.in_(chunk)).values(last_used_at=now)
                )
            await session.commit()

    async def _every(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_seconds)
            await self._refresh_logged()

    async def _refresh_logged(self) -> None:
        try:
            await self.refresh()
        except Exception:
            log.warning("hot path: could not refresh the credentials; keeping the last ones", exc_info=True)


_USER_FIELDS = tuple(column.key for column in _USER_COLUMNS)


def _consenting_users() -> Select[int]:
    """The users whose standing consent covers the current version of every document (auth/consent.py)."""
    required = legal.consent_versions()
    return (
        select(Consent.user_id)
        .where(
            Consent.withdrawn_at.is_(None),
            or_(*(and_(Consent.document == d, Consent.version == v) for d, v in required.items())),
        )
        .group_by(Consent.user_id)
        .having(func.count(func.distinct(Consent.document)) == len(required))
    )


def _chunks(items: list[str]) -> list[list[str]]:
    return [items[i : i + _TOUCH_CHUNK] for i in range(0, len(items), _TOUCH_CHUNK)]
