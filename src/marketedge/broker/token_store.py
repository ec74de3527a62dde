"""The stored Upstox token: read for every call (only its encrypted form is cached, until the token's expiry and
at most 24 hours; then the database), validated with Upstox, marked rejected on a 401, disconnected, shown, and
re-encrypted when the key rotates. The TokenService (broker/service.py) builds on it with every way a new token
arrives."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, Literal

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from marketedge.auth import audit
from marketedge.broker.crypto import TokenCipher, TokenUnreadable
from marketedge.broker.lifetimes import (
    CACHE_AT_MOST,
    TokenKind,
    TokenSource,
    TokenStatus,
)
from marketedge.broker.schemas import (
    TokenEventRead,
    TokenRead,
    TokenRequestRead,
    UpstoxUser,
)
from marketedge.broker.token_state import (
    EVENTS_SHOWN,
    TARGET_PREFIX,
    TOKEN_SHAPE,
    CachedToken,
    Check,
    Outcome,
    TokenEvents,
    UpstoxApp,
    Validation,
    effective_status,
    in_ist,
    probe_token,
    probe_token_provider,
    request_state,
)
from marketedge.cache import CacheBackend
from marketedge.core import clock
from marketedge.core.clock import IST
from marketedge.core.db import Database
from marketedge.models.audit import AuditEvent
from marketedge.models.broker import BrokerToken, BrokerTokenRequest
from marketedge.upstox import (
    BadRequest,
    ExtendedTokenNotAllowed,
    RateLimited,
    TokenInvalid,
    UpstoxClient,
    UpstoxError,
    UpstoxLimiter,
    UpstreamUnavailable,
)

log = structlog.get_logger(__name__)


class TokenStore:
    """The stored token and its reads; the TokenService adds the ways a new one arrives."""

    def __init__(
        self,
        database: Database,
        cache: CacheBackend,
        cipher: TokenCipher,
        *,
        base_url: str,
        app: UpstoxApp,
        secret_key: str,
        broker: str = "upstox",
        limiter: UpstoxLimiter | None = None,
        validation_timeout: float = 10.0,
        validation_attempts: int = 2,
    ) -> None:
        self.database = database
        self.cache = cache
        self.cipher = cipher
        self.base_url = base_url
        self.app = app
        self.broker = broker
        self.renewal: TokenEvents | None = None  # the renewal job (broker/renewal.py) sets itself here
        self._secret_key = secret_key
        self._limiter = limiter
        self._client_options: dict[str, Any] = {
            "timeout": validation_timeout,
            "max_attempts": validation_attempts,
            "max_retry_seconds": 2 * validation_timeout,
        }
        # Logins (code exchange, v3 requests) carry no bearer token; probes carry the token they are about.
        # No on_token_rejected on either: a 401 on a candidate says nothing about the stored token.
        self._login = UpstoxClient(base_url, None, limiter=limiter, **self._client_options)
        self._probe = UpstoxClient(base_url, probe_token_provider, limiter=limiter, **self._client_options)
        self._lock = asyncio.Lock()
        self._cache_key = f"broker:{broker}:token"
        # Fingerprints Upstox answered 401 to, known at once (the database learns it in the background).
        self._rejected: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        #: Called with the reason of every refused notifier post (the metrics count them: ops/metrics.py).
        self.notifier_listeners: list[Callable[[str], None]] = []

    @property
    def simulated(self) -> bool:
        return self.broker != "upstox"

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self._login.aclose()
        await self._probe.aclose()

    # ------------------------------------------------------------------------------------------------------
    # The token for every Upstox call

    async def current_token(self) -> str | None:
        """The stored token while it is valid, else None. The cache first; the database when it has none."""
        now = clock.now().timestamp()
        cached = await self._cache_read()
        if cached is None or now >= cached.until:
            cached = await self._load_into_cache()
        if cached is None or now >= cached.expires_at or cached.fingerprint in self._rejected:
            return None
        try:
            return self.cipher.decrypt(cached.ciphertext)
        except TokenUnreadable:
            log.error("broker: the stored token cannot be decrypted: TOKEN_ENCRYPTION_KEY lacks its key")
            return None

    async def usable(self) -> bool:
        return await self.current_token() is not None

    async def _cache_read(self) -> CachedToken | None:
        try:
            raw = await self.cache.get(self._cache_key)
        except Exception as exc:  # a cache outage must not stop polling: the database answers
            log.warning("broker: token cache unavailable", error=type(exc).__name__)
            return None
        return CachedToken.load(raw) if raw is not None else None

    async def _load_into_cache(self) -> CachedToken | None:
        async with self.database.sessions() as session:
            row = await self._row(session)
        if row is None or effective_status(row, clock.now()) is not TokenStatus.valid:
            return None
        if row.fingerprint in self._rejected:
            return None  # rejected a moment ago; the database is being told
        return await self._cache_put(row)

    async def _cache_put(self, row: BrokerToken) -> CachedToken:
        now = clock.now()
        until = min(row.expires_at, now + CACHE_AT_MOST)
        cached = CachedToken(row.ciphertext, row.fingerprint, row.expires_at.timestamp(), until.timestamp())
        ttl = (until - now).total_seconds()
        if ttl > 0:
            try:
                await self.cache.set(self._cache_key, cached.dump(), ttl)
            except Exception as exc:
                log.warning("broker: token cache unavailable", error=type(exc).__name__)
        return cached

    async def _cache_drop(self) -> None:
        try:
            await self.cache.delete(self._cache_key)
        except Exception as exc:
            log.warning("broker: token cache unavailable", error=type(exc).__name__)

    async def token_rejected(self, error: TokenInvalid) -> None:
        """The Upstox client's on_token_rejected hook: a 401 marks that token rejected and starts renewal.

        Quick and free of database writes: the caller may be inside a transaction (SQLite allows one writer),
        so the token is dropped from memory and the cache now, and the database is told in the background."""
        fingerprint = error.token_fingerprint or ""
        if fingerprint in self._rejected:
            return  # many calls in flight get the same 401: the first one tells
        self._rejected.add(fingerprint)
        await self._cache_drop()
        self._spawn(self._mark_rejected(error))

    async def _mark_rejected(self, error: TokenInvalid) -> None:
        now = clock.now()
        async with self._lock, self.database.sessions() as session:
            query = (
                update(BrokerToken)
                .where(BrokerToken.broker == self.broker, BrokerToken.status == TokenStatus.valid.value)
                .values(
                    status=TokenStatus.rejected.value,
                    status_changed_at=now,
                    last_validated_at=now,
                    last_validation="rejected",
                )
            )
            if error.token_fingerprint:
                query = query.where(BrokerToken.fingerprint == error.token_fingerprint)
            changed = (await session.execute(query)).rowcount  # type: ignore[attr-defined]
            if changed:
                await self._audit(
                    session,
                    audit.SYSTEM,
                    "broker.token.rejected",
                    details={
                        "fingerprint": error.token_fingerprint,
                        "endpoint": error.endpoint,
                        "error_code": error.error_code,
                    },
                )
            await session.commit()
        await self._cache_drop()
        if changed:
            log.warning("broker: Upstox rejected the token", endpoint=error.endpoint, code=error.error_code)
            if self.renewal is not None:
                self.renewal.token_rejected()

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("broker: marking the token rejected failed", error=type(task.exception()).__name__)

    async def wait_idle(self) -> None:
        """Wait for background work (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ------------------------------------------------------------------------------------------------------
    # Validation

    async def validate(self, token: str, kind: TokenKind) -> Validation:
        """Ask Upstox about a token of the kind the person said: the profile for access tokens, the market status
        for analytics ones (which Upstox may refuse on the profile)."""
        if not TOKEN_SHAPE.fullmatch(token):
            return Validation("refused", message="this is not an Upstox token (printable ASCII, no spaces)")
        client = self._probe
        bound = probe_token.set(token)
        try:
            if kind is TokenKind.analytics:
                await client.market_status("NSE")
                return await self._with_profile(client, TokenKind.analytics)
            try:
                profile = await client.profile()
            except ExtendedTokenNotAllowed:
                raise
            except BadRequest as exc:
                return Validation(
                    "refused",
                    message=f"Upstox refused this token on the profile call ({exc.error_code or exc.status}): "
                    "if it is an analytics token, choose analytics",
                )
            return Validation("ok", kind, profile.user_id, profile.user_name)
        except TokenInvalid:
            return Validation("rejected", message="Upstox rejected the token (invalid or expired)")
        except ExtendedTokenNotAllowed:
            return Validation(
                "refused",
                message="this is an extended token: it cannot read market data; use an access token",
            )
        except (UpstreamUnavailable, RateLimited) as exc:
            return Validation("unreachable", message=f"Upstox could not be reached ({type(exc).__name__})")
        except UpstoxError as exc:
            return Validation("refused", message=f"Upstox refused the token ({exc.error_code or exc.status})")
        finally:
            probe_token.reset(bound)

    @staticmethod
    async def _with_profile(client: UpstoxClient, kind: TokenKind) -> Validation:
        """The user behind a token when the profile answers; an analytics token may be refused there."""
        try:
            profile = await client.profile()
        except UpstoxError:
            return Validation("ok", kind)
        return Validation("ok", kind, profile.user_id, profile.user_name)

    async def check(self) -> Check | None:
        """Validate the stored token with a real call (the renewal job's first step); None when none is stored."""
        async with self.database.sessions() as session:
            row = await self._row(session)
        if row is None:
            return None
        now = clock.now()
        kind = TokenKind(row.kind)
        status = effective_status(row, now)
        outcome: Outcome | Literal["unreadable", "expired"]
        if status is not TokenStatus.valid:
            if status is TokenStatus.expired:
                await self._set_status(row.fingerprint, TokenStatus.expired, "expired", now)
            return Check(
                status, kind, row.expires_at, "expired" if status is TokenStatus.expired else "rejected"
            )
        try:
            token = self.cipher.decrypt(row.ciphertext)
        except TokenUnreadable:
            return Check(status, kind, row.expires_at, "unreadable")
        result = await self.validate(token, TokenKind.analytics if kind is TokenKind.analytics else kind)
        outcome = result.outcome
        if outcome == "ok":
            await self._set_status(row.fingerprint, TokenStatus.valid, "ok", now, result)
        elif outcome == "rejected":
            status = TokenStatus.rejected
            await self._set_status(row.fingerprint, status, outcome, now)
        else:
            # Unreachable, or a refusal that is not a 401: no proof the token is dead, so it stays.
            await self._set_status(row.fingerprint, None, outcome, now)
        return Check(status, kind, row.expires_at, outcome)

    async def _set_status(
        self,
        fingerprint: str,
        status: TokenStatus | None,
        validation: str,
        now: datetime,
        result: Validation | None = None,
    ) -> None:
        values: dict[str, Any] = {"last_validated_at": now, "last_validation": validation}
        if result is not None and result.user_id:
            values.update(upstox_user_id=result.user_id, upstox_user_name=result.user_name)
        async with self._lock, self.database.sessions() as session:
            row = await self._row(session)
            if row is None or row.fingerprint != fingerprint:
                return  # another token was stored meanwhile
            changed = status is not None and status.value != row.status
            if changed:
                assert status is not None
                values.update(status=status.value, status_changed_at=now)
                await self._audit(
                    session, audit.SYSTEM, f"broker.token.{status.value}", details={"validation": validation}
                )
            for name, value in values.items():
                setattr(row, name, value)
            await session.commit()
        if changed:
            await self._cache_drop()

    # ------------------------------------------------------------------------------------------------------
    # Disconnect

    async def disconnect(self, actor: str, *, ip: str | None = None) -> tuple[bool, bool]:
        """Log out at Upstox (best effort) and delete the stored token; open requests are cancelled so that
        a late approval does not reconnect. Answers (was connected, Upstox confirmed the logout)."""
        async with self.database.sessions() as session:
            row = await self._row(session)
        logged_out = False
        if row is not None and effective_status(row, clock.now()) is TokenStatus.valid:
            try:
                token = self.cipher.decrypt(row.ciphertext)
            except TokenUnreadable:
                token = None
            if token is not None:
                bound = probe_token.set(token)
                try:
                    logged_out = await self._probe.logout()
                except UpstoxError as exc:
                    log.info("broker: Upstox logout failed; deleting anyway", error=type(exc).__name__)
                finally:
                    probe_token.reset(bound)
        now = clock.now()
        async with self._lock, self.database.sessions() as session:
            current = await self._row(session, for_update=True)
            if current is not None:
                await session.delete(current)
            await session.execute(
                update(BrokerTokenRequest)
                .where(
                    BrokerTokenRequest.broker == self.broker,
                    BrokerTokenRequest.state.in_(("pending", "fulfilled")),
                    BrokerTokenRequest.authorization_expiry > now,
                )
                .values(state="cancelled")
            )
            await self._audit(
                session,
                actor,
                "broker.token.disconnected",
                ip=ip,
                details={"was_connected": current is not None, "logged_out": logged_out},
            )
            await session.commit()
        await self._cache_drop()
        if self.renewal is not None:
            self.renewal.stop_reminders()
        return current is not None, logged_out

    # ------------------------------------------------------------------------------------------------------
    # Reading

    async def token(self) -> TokenRead | None:
        async with self.database.sessions() as session:
            row = await self._row(session)
        return self._read(row, clock.now()) if row is not None else None

    async def events(self, limit: int = EVENTS_SHOWN) -> list[TokenEventRead]:
        async with self.database.sessions() as session:
            rows = await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.target == self.broker, AuditEvent.action.startswith(TARGET_PREFIX))
                .order_by(AuditEvent.id.desc())
                .limit(limit)
            )
            return [
                TokenEventRead(at=e.at.astimezone(IST), action=e.action, actor=e.actor, details=e.details)
                for e in rows
            ]

    def _read(self, row: BrokerToken, now: datetime) -> TokenRead:
        try:
            self.cipher.decrypt(row.ciphertext)
            readable = True
        except TokenUnreadable:
            readable = False
        user = (
            UpstoxUser(user_id=row.upstox_user_id, user_name=row.upstox_user_name)
            if row.upstox_user_id or row.upstox_user_name
            else None
        )
        return TokenRead(
            kind=TokenKind(row.kind),
            source=TokenSource(row.source),
            status=effective_status(row, now),
            upstox_user=user,
            issued_at=row.issued_at.astimezone(IST),
            valid_until=row.expires_at.astimezone(IST),
            stored_at=row.stored_at.astimezone(IST),
            stored_by=row.stored_by,
            last_validated_at=in_ist(row.last_validated_at),
            last_validation=row.last_validation,
            readable=readable,
        )

    @staticmethod
    def _request_read(row: BrokerTokenRequest, now: datetime) -> TokenRequestRead:
        return TokenRequestRead(
            requested_at=row.requested_at.astimezone(IST),
            authorization_expiry=row.authorization_expiry.astimezone(IST),
            trigger=row.trigger,
            requested_by=row.requested_by,
            state=request_state(row, now),
        )

    # ------------------------------------------------------------------------------------------------------
    # Key rotation

    async def rotate_keys(self, actor: str = audit.SYSTEM) -> int:
        """Re-encrypt every stored token (every broker row) with the newest TOKEN_ENCRYPTION_KEY."""
        async with self._lock, self.database.sessions() as session:
            rows = list(await session.scalars(select(BrokerToken)))
            for row in rows:
                row.ciphertext = self.cipher.rotate(row.ciphertext)  # TokenUnreadable: nothing is changed
            session.add(
                AuditEvent(
                    at=clock.utcnow(),
                    actor=actor,
                    action="broker.key.rotated",
                    target=self.broker,
                    details={"tokens": len(rows)},
                )
            )
            await session.commit()
            brokers = [row.broker for row in rows]
        for broker in {self.broker, *brokers}:
            try:
                await self.cache.delete(f"broker:{broker}:token")
            except Exception as exc:
                log.warning("broker: token cache unavailable", error=type(exc).__name__)
        log.info("broker: tokens re-encrypted with the newest key", tokens=len(rows))
        return len(rows)

    # ------------------------------------------------------------------------------------------------------

    async def _row(self, session: AsyncSession, *, for_update: bool = False) -> BrokerToken | None:
        query = select(BrokerToken).where(BrokerToken.broker == self.broker)
        if for_update:
            query = query.with_for_update()
        return await session.scalar(query)

    async def _audit(
        self,
        session: AsyncSession,
        actor: str,
        action: str,
        *,
        ip: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        await audit.record(session, actor, action, target=self.broker, ip=ip, details=details)
