"""The TokenService: the one source of the Upstox token for every call, and everything that changes it.

Reads come from the cache (only the encrypted form, whichever backend) until the token's expiry and at
most 24 hours, then from the database. Every new token is validated with a real Upstox call before it is
stored, so a working token is never replaced by a bad one. The service is used by requests, the client's
401 hook, the renewal job and the CLI alike, so each public operation is its own unit of work: it commits
its transaction, then updates the cache.
"""

from __future__ import annotations

import asyncio
import hmac
import re
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

import orjson
import structlog
from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from marketedge.auth import audit
from marketedge.broker import oauth
from marketedge.broker.crypto import TokenCipher, TokenUnreadable
from marketedge.broker.errors import (
    BadNotification,
    BrokerNotConfigured,
    NotificationRefused,
    NoTokenRequest,
    TokenRefused,
    UpstoxUserMismatch,
)
from marketedge.broker.lifetimes import (
    ACCESS_AT_MOST,
    CACHE_AT_MOST,
    TokenClaims,
    TokenKind,
    TokenSource,
    TokenStatus,
    access_token_expiry,
    token_claims,
)
from marketedge.broker.schemas import (
    CallbackResult,
    RequestState,
    TokenEventRead,
    TokenRead,
    TokenRequestAnswer,
    TokenRequestRead,
    UpstoxUser,
)
from marketedge.cache import CacheBackend
from marketedge.core import clock
from marketedge.core.clock import IST
from marketedge.core.db import Database
from marketedge.core.errors import UpstreamUnavailable as UpstreamUnavailableError
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
from marketedge.upstox.errors import token_fingerprint
from marketedge.upstox.schemas import NotifierPayload

log = structlog.get_logger(__name__)


class TokenEvents(Protocol):
    """What the service tells the renewal job (broker/renewal.py's TokenRenewal) of the stored token."""

    def token_rejected(self) -> None: ...
    async def token_stored(self, kind: TokenKind, expires_at: datetime) -> None: ...
    def stop_reminders(self) -> None: ...


TARGET_PREFIX = "broker."
NOTIFIER_MAX_BYTES = 16 * 1024
EVENTS_SHOWN = 20
UPSTOX_ACTOR = "upstox"  # who a notifier post claims to be

Outcome = Literal["ok", "rejected", "refused", "unreachable"]
# What can travel in an Authorization header: printable ASCII without spaces (Upstox's tokens are JWTs).
_TOKEN_SHAPE = re.compile(r"[\x21-\x7e]{16,4096}")

# The token a probe call is about (a candidate, or the stored one being logged out): per task, so concurrent
# validations never see each other's token, and one pooled client serves them all.
_probe_token: ContextVar[str | None] = ContextVar("broker_probe_token", default=None)


async def _probe_token_provider() -> str | None:
    return _probe_token.get()


def _kind_problem(kind: TokenKind, claims: TokenClaims | None, now: datetime) -> str | None:
    """Why a token cannot be the kind the person said, from its own claims (None: it can)."""
    if claims is None or claims.expires_at is None:
        return None
    expires = claims.expires_at
    if expires <= now:
        return f"this token expired at {expires.astimezone(IST):%Y-%m-%d %H:%M} IST"
    lifetime = expires - (claims.issued_at or now)
    if kind is not TokenKind.analytics and lifetime > ACCESS_AT_MOST:
        return (
            f"this token is valid until {expires.astimezone(IST):%Y-%m-%d}: a daily access token is valid until "
            "03:30 IST the next day. If it is an analytics token, choose analytics"
        )
    if kind is TokenKind.analytics and lifetime <= ACCESS_AT_MOST:
        return (
            f"this token expires at {expires.astimezone(IST):%Y-%m-%d %H:%M} IST: it is a daily access token, "
            "not an analytics token (valid a year). Choose access"
        )
    return None


def _validity_problem(
    kind: TokenKind, claims: TokenClaims | None, valid_until: datetime | None, now: datetime
) -> str | None:
    """An analytics token whose validity is known neither from itself nor from the person."""
    if kind is not TokenKind.analytics or (claims is not None and claims.expires_at is not None):
        return None
    if valid_until is None:
        return (
            "this token does not say when it expires: give the date until which Upstox shows it valid "
            "(valid_until)"
        )
    if valid_until <= now:
        return f"valid_until {valid_until.astimezone(IST):%Y-%m-%d} is past: the token would be dead already"
    return None


@dataclass(frozen=True)
class UpstoxApp:
    """Our registration on Upstox: what OAuth and the v3 token request need."""

    client_id: str | None = None
    client_secret: str | None = None
    redirect_uri: str | None = None  # None: the callback's own URL, derived from the request
    notifier_url: str | None = None  # shown to the admin; Upstox itself uses the URL on the app form

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def __repr__(self) -> str:
        return f"UpstoxApp(client_id={self.client_id!r}, client_secret=***)"


@dataclass(frozen=True)
class Validation:
    """What a real Upstox call said about a token."""

    outcome: Outcome
    kind: TokenKind | None = None
    user_id: str | None = None
    user_name: str | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass(frozen=True)
class Check:
    """The stored token after the renewal job's validation."""

    status: TokenStatus
    kind: TokenKind
    expires_at: datetime
    outcome: Outcome | Literal["unreadable", "expired"]

    @property
    def usable(self) -> bool:
        """Valid as far as we know: Upstox said so, or could not say otherwise (unreachable, a 4xx that is
        not a 401)."""
        return self.status is TokenStatus.valid and self.outcome in ("ok", "unreachable", "refused")


@dataclass(frozen=True)
class _Cached:
    ciphertext: str
    fingerprint: str
    expires_at: float  # epoch seconds (on the app's clock)
    until: float  # the 24-hour bound, epoch seconds

    def dump(self) -> bytes:
        return orjson.dumps(
            {"ct": self.ciphertext, "fp": self.fingerprint, "exp": self.expires_at, "until": self.until}
        )

    @classmethod
    def load(cls, raw: bytes) -> _Cached | None:
        try:
            data = orjson.loads(raw)
            return cls(str(data["ct"]), str(data["fp"]), float(data["exp"]), float(data["until"]))
        except (ValueError, KeyError, TypeError):
            return None


def _same(given: str, expected: str) -> bool:
    """A constant-time comparison of text from outside (compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(given.encode(), expected.encode())


def _ist(when: datetime | None) -> datetime | None:
    return when.astimezone(IST) if when is not None else None


def effective_status(row: BrokerToken, now: datetime) -> TokenStatus:
    status = TokenStatus(row.status)
    if status is TokenStatus.valid and now >= row.expires_at:
        return TokenStatus.expired
    return status


def request_state(row: BrokerTokenRequest, now: datetime) -> RequestState:
    if row.state == "pending" and now >= row.authorization_expiry:
        return "lapsed"
    return row.state  # type: ignore[return-value]


class TokenService:
    """Build once per process (the Runtime does); `aclose()` at the end."""

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
        self._probe = UpstoxClient(base_url, _probe_token_provider, limiter=limiter, **self._client_options)
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

    async def _cache_read(self) -> _Cached | None:
        try:
            raw = await self.cache.get(self._cache_key)
        except Exception as exc:  # a cache outage must not stop polling: the database answers
            log.warning("broker: token cache unavailable", error=type(exc).__name__)
            return None
        return _Cached.load(raw) if raw is not None else None

    async def _load_into_cache(self) -> _Cached | None:
        async with self.database.sessions() as session:
            row = await self._row(session)
        if row is None or effective_status(row, clock.now()) is not TokenStatus.valid:
            return None
        if row.fingerprint in self._rejected:
            return None  # rejected a moment ago; the database is being told
        return await self._cache_put(row)

    async def _cache_put(self, row: BrokerToken) -> _Cached:
        now = clock.now()
        until = min(row.expires_at, now + CACHE_AT_MOST)
        cached = _Cached(row.ciphertext, row.fingerprint, row.expires_at.timestamp(), until.timestamp())
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
        if not _TOKEN_SHAPE.fullmatch(token):
            return Validation("refused", message="this is not an Upstox token (printable ASCII, no spaces)")
        client = self._probe
        bound = _probe_token.set(token)
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
            _probe_token.reset(bound)

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
    # Storing a token: validated first

    async def accept(
        self,
        token: str,
        kind: TokenKind,
        source: TokenSource,
        actor: str,
        *,
        ip: str | None = None,
        issued_at: datetime | None = None,
        expires_at: datetime | None = None,
        valid_until: datetime | None = None,
        expected_user: str | None = None,
        check_user: bool = False,
        fulfils_request: bool = False,
    ) -> TokenRead:
        """Validate `token` (of the kind the person said) with Upstox and store it; TokenRefused or a 503 leaves the
        stored token as it was. Its validity is what the token says of itself (its JWT claims), else, for an
        analytics token, `valid_until` as the person read it on Upstox's page."""
        now = clock.now()
        claims = token_claims(token)
        problem = _validity_problem(kind, claims, valid_until, now)
        if problem is not None:
            await self._refusal(actor, source, "no_validity", ip, message=problem)
            raise TokenRefused(problem)
        result = await self.validate(token, kind)
        if result.outcome == "unreachable":
            await self._refusal(actor, source, "unreachable", ip)
            raise UpstreamUnavailableError(
                "Upstox could not be reached to validate the token; nothing was stored. Try again."
            )
        if not result.ok:
            await self._refusal(actor, source, result.outcome, ip, message=result.message)
            raise TokenRefused(result.message or "Upstox refused the token; nothing was stored.")
        problem = _kind_problem(kind, claims, now)  # Upstox took it; does it say it is what the person said?
        if problem is not None:
            await self._refusal(actor, source, "kind_mismatch", ip, message=problem)
            raise TokenRefused(problem)
        assert result.kind is not None
        final_kind = TokenKind.v3 if source is TokenSource.notifier else result.kind
        if expected_user and result.user_id and expected_user != result.user_id:
            await self._refusal(actor, source, "user_mismatch", ip)
            raise UpstoxUserMismatch("The token belongs to another Upstox user than the one it names.")
        now = clock.now()
        issued = (claims and claims.issued_at) or issued_at or now
        if claims is not None and claims.expires_at is not None:
            expires = claims.expires_at  # the token's own word
        elif final_kind is TokenKind.analytics:
            assert valid_until is not None  # _validity_problem said so otherwise
            expires = valid_until
        else:
            expires = access_token_expiry(now)
            if expires_at is not None and now < expires_at <= now + ACCESS_AT_MOST:
                expires = (
                    expires_at  # Upstox said when it dies (the notifier does): believe it when it is sane
                )
        fingerprint = token_fingerprint(token)
        ciphertext = self.cipher.encrypt(token)
        async with self._lock:
            for attempt in (1, 2):
                try:
                    row = await self._write(
                        ciphertext, fingerprint, final_kind, source, actor, ip, issued, expires, now, result,
                        check_user=check_user, fulfils_request=fulfils_request,
                    )  # fmt: skip
                    break
                except IntegrityError:
                    if attempt == 2:  # two writers raced to insert the first row: the second retries once
                        raise
            self._rejected.discard(fingerprint)  # the same token, validated again just now
            await self._cache_put(row)
        log.info(
            "broker: token stored",
            kind=final_kind.value,
            source=source.value,
            valid_until=expires.astimezone(IST).isoformat(),
            fingerprint=fingerprint,
        )
        if self.renewal is not None:
            await self.renewal.token_stored(final_kind, expires)
        return self._read(row, now)

    async def _write(
        self,
        ciphertext: str,
        fingerprint: str,
        kind: TokenKind,
        source: TokenSource,
        actor: str,
        ip: str | None,
        issued: datetime,
        expires: datetime,
        now: datetime,
        result: Validation,
        *,
        check_user: bool,
        fulfils_request: bool,
    ) -> BrokerToken:
        async with self.database.sessions() as session:
            row = await self._row(session, for_update=True)
            if (
                check_user
                and row is not None
                and row.upstox_user_id
                and result.user_id
                and row.upstox_user_id != result.user_id
            ):
                await session.rollback()
                await self._refusal(actor, source, "user_mismatch", ip)
                raise UpstoxUserMismatch(
                    "The delivered token belongs to another Upstox user than the connected one."
                )
            if row is None:
                row = BrokerToken(broker=self.broker)
                session.add(row)
            row.kind = kind.value
            row.source = source.value
            row.status = TokenStatus.valid.value
            row.ciphertext = ciphertext
            row.fingerprint = fingerprint
            row.upstox_user_id = result.user_id or (row.upstox_user_id if check_user else None)
            row.upstox_user_name = result.user_name or (row.upstox_user_name if check_user else None)
            row.issued_at = issued
            row.expires_at = expires
            row.stored_at = now
            row.stored_by = actor[:254]
            row.status_changed_at = now
            row.last_validated_at = now
            row.last_validation = "ok"
            if fulfils_request:
                await session.execute(
                    update(BrokerTokenRequest)
                    .where(
                        BrokerTokenRequest.broker == self.broker,
                        BrokerTokenRequest.state == "pending",
                        BrokerTokenRequest.authorization_expiry > now,
                    )
                    .values(state="fulfilled", fulfilled_at=now)
                )
            await self._audit(
                session,
                actor,
                "broker.token.stored",
                ip=ip,
                details={
                    "kind": kind.value,
                    "source": source.value,
                    "user_id": result.user_id,
                    "valid_until": expires.astimezone(IST).isoformat(),
                    "fingerprint": fingerprint,
                },
            )
            await session.commit()
            return row

    async def paste(
        self,
        token: str,
        kind: TokenKind,
        actor: str,
        *,
        ip: str | None = None,
        valid_until: datetime | None = None,
    ) -> TokenRead:
        return await self.accept(token, kind, TokenSource.paste, actor, ip=ip, valid_until=valid_until)

    async def bootstrap(self, token: str, kind: TokenKind = TokenKind.access) -> bool:
        """UPSTOX_ACCESS_TOKEN on start: stored (after validation) only when nothing is stored yet."""
        async with self.database.sessions() as session:
            if await self._row(session) is not None:
                return False
        try:
            await self.accept(token, kind, TokenSource.bootstrap, audit.SYSTEM)
        except (TokenRefused, UpstreamUnavailableError) as exc:
            log.warning("broker: UPSTOX_ACCESS_TOKEN was not stored", reason=exc.message)
            return False
        return True

    async def _refusal(
        self, actor: str, source: TokenSource, reason: str, ip: str | None, *, message: str = ""
    ) -> None:
        if source is TokenSource.notifier:
            self._notifier_refused(reason, ip)
            return
        log.warning("broker: token refused", source=source.value, reason=reason, ip=ip)
        details = {"source": source.value, "reason": reason, "message": message[:200] or None}
        await audit.record_now(
            self.database, actor, "broker.token.refused", target=self.broker, ip=ip, details=details
        )

    # ------------------------------------------------------------------------------------------------------
    # OAuth: Connect → Upstox's dialog → callback

    def start_oauth(self, actor: str, redirect_uri: str) -> tuple[str, str]:
        """(the authorization dialog URL, the nonce to keep in the browser's state cookie)."""
        if not self.app.client_id:
            raise BrokerNotConfigured("UPSTOX_CLIENT_ID is not set: the Upstox login cannot start.")
        redirect = self.app.redirect_uri or redirect_uri
        state, payload = oauth.new_state(self._secret_key, actor, redirect, clock.now())
        return self._login.authorization_url(self.app.client_id, redirect, state), payload.nonce

    async def complete_oauth(
        self,
        *,
        code: str | None,
        state: str | None,
        browser_nonce: str | None,
        error: str | None = None,
        ip: str | None = None,
    ) -> CallbackResult:
        """The callback: check the state (signature, expiry, this browser, once), exchange the code,
        validate and store the token. Answers a result word for the page, never raises for the browser."""
        now = clock.now()
        try:
            state_data = oauth.read_state(self._secret_key, state, now)
            if not browser_nonce or not _same(browser_nonce, state_data.nonce):
                raise oauth.StateInvalid("not this browser's login")
            if not await self._claim_nonce(state_data.nonce):
                raise oauth.StateInvalid("already used")
        except oauth.StateInvalid as exc:
            log.warning("broker: OAuth callback refused", reason=str(exc), ip=ip)
            await audit.record_now(
                self.database,
                UPSTOX_ACTOR,
                "broker.oauth.refused",
                target=self.broker,
                ip=ip,
                details={"reason": str(exc)},
            )
            return "invalid_state"
        actor = state_data.actor
        if error or not code:
            await audit.record_now(
                self.database,
                actor,
                "broker.oauth.denied",
                target=self.broker,
                ip=ip,
                details={"error": (error or "no code")[:64]},
            )
            return "denied"
        if not self.app.configured:
            return "not_configured"
        assert self.app.client_id and self.app.client_secret
        try:
            answer = await self._login.exchange_code(
                code,
                client_id=self.app.client_id,
                client_secret=self.app.client_secret,
                redirect_uri=state_data.redirect_uri,
            )
        except UpstoxError as exc:
            await audit.record_now(
                self.database,
                actor,
                "broker.oauth.failed",
                target=self.broker,
                ip=ip,
                details={"error": type(exc).__name__, "error_code": exc.error_code},
            )
            return "unavailable" if isinstance(exc, UpstreamUnavailable | RateLimited) else "exchange_failed"
        try:
            await self.accept(
                answer.access_token.get_secret_value(),
                TokenKind.access,
                TokenSource.oauth,
                actor,
                ip=ip,
                expected_user=answer.user_id,
            )
        except TokenRefused:
            return "invalid_token"
        except UpstoxUserMismatch:
            return "invalid_token"
        except UpstreamUnavailableError:
            return "unavailable"
        return "connected"

    async def _claim_nonce(self, nonce: str) -> bool:
        """True the first time a state's nonce is used (a replayed callback is refused)."""
        key = f"broker:{self.broker}:oauth:{nonce}"
        try:
            if await self.cache.get(key) is not None:
                return False
            await self.cache.set(key, b"1", oauth.STATE_LIFETIME.total_seconds() + 60)
        except Exception as exc:
            # The signature, expiry and browser binding still hold; only replay detection is lost meanwhile.
            log.warning(
                "broker: token cache unavailable; OAuth state not marked used", error=type(exc).__name__
            )
        return True

    # ------------------------------------------------------------------------------------------------------
    # v3 token request → the account holder approves → the notifier

    async def request_token(self, trigger: str, actor: str, *, ip: str | None = None) -> TokenRequestAnswer:
        """Ask Upstox to offer the account holder a new token (one tap in the Upstox app or WhatsApp)."""
        if not self.app.configured:
            raise BrokerNotConfigured(
                "UPSTOX_CLIENT_ID and UPSTOX_CLIENT_SECRET are not set: Upstox cannot be asked for a token."
            )
        assert self.app.client_id and self.app.client_secret
        now = clock.now()
        try:
            ack = await self._login.request_token_v3(self.app.client_id, self.app.client_secret)
        except UpstoxError as exc:
            await audit.record_now(
                self.database,
                actor,
                "broker.token.request_failed",
                target=self.broker,
                ip=ip,
                details={"trigger": trigger, "error": type(exc).__name__, "error_code": exc.error_code},
            )
            raise
        expiry = ack.authorization_expiry
        if not now < expiry <= now + timedelta(hours=25):
            expiry = access_token_expiry(now)
        if ack.notifier_url and self.app.notifier_url and ack.notifier_url != self.app.notifier_url:
            log.warning(
                "broker: Upstox will deliver the token elsewhere than UPSTOX_NOTIFIER_URL",
                upstox_notifier=ack.notifier_url,
                configured=self.app.notifier_url,
            )
        async with self.database.sessions() as session:
            session.add(
                BrokerTokenRequest(
                    broker=self.broker,
                    requested_at=now,
                    authorization_expiry=expiry,
                    trigger=trigger,
                    requested_by=actor[:254],
                    state="pending",
                )
            )
            await self._audit(
                session,
                actor,
                "broker.token.requested",
                ip=ip,
                details={"trigger": trigger, "lapses_at": expiry.astimezone(IST).isoformat()},
            )
            await session.commit()
        log.info("broker: token requested; waiting for the account holder's approval", trigger=trigger)
        return TokenRequestAnswer(
            requested_at=now,
            authorization_expiry=expiry.astimezone(IST),
            notifier_url=ack.notifier_url or None,
        )

    async def latest_request(self) -> TokenRequestRead | None:
        async with self.database.sessions() as session:
            row = await session.scalar(
                select(BrokerTokenRequest)
                .where(BrokerTokenRequest.broker == self.broker)
                .order_by(BrokerTokenRequest.id.desc())
                .limit(1)
            )
        return self._request_read(row, clock.now()) if row is not None else None

    async def receive_notification(self, body: bytes, *, ip: str | None = None) -> None:
        """The notifier webhook: anyone can post, so everything is checked, and the token is validated with
        Upstox before it is stored. Every refusal leaves the stored token as it was, and is logged and counted,
        not audited: anyone can post, so an audit row each would let anyone fill the audit log."""
        payload = self._parse_notification(body, ip)
        if not self.app.client_id or not _same(payload.client_id, self.app.client_id):
            self._notifier_refused("client_id", ip)
            raise NotificationRefused("This notifier accepts tokens for our Upstox app only.")
        if payload.message_type != "access_token":
            self._notifier_refused("message_type", ip)
            raise BadNotification("Only message_type access_token is accepted.")
        if not await self._request_open(clock.now()):
            self._notifier_refused("no_open_request", ip)
            raise NoTokenRequest("No token request of ours is waiting for approval.")
        await self.accept(
            payload.access_token.get_secret_value(),
            TokenKind.access,
            TokenSource.notifier,
            UPSTOX_ACTOR,
            ip=ip,
            issued_at=payload.issued_at,
            expires_at=payload.expires_at,
            expected_user=payload.user_id,
            check_user=True,
            fulfils_request=True,
        )

    def _parse_notification(self, body: bytes, ip: str | None) -> NotifierPayload:
        if len(body) > NOTIFIER_MAX_BYTES:
            self._notifier_refused("too_large", ip)
            raise BadNotification("The notification is too large.")
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            data = None
        if not isinstance(data, dict):
            self._notifier_refused("not_json_object", ip)
            raise BadNotification("The body must be a JSON object.")
        try:
            return NotifierPayload.model_validate(data)
        except ValidationError as exc:
            # Where it was wrong, never the values (they may hold a token).
            fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors(include_input=False)})
            self._notifier_refused("bad_fields", ip, fields=fields[:10])
            raise BadNotification(
                f"The notification lacks or mistypes: {', '.join(fields[:10])}.", details={"fields": fields}
            ) from None

    def _notifier_refused(self, reason: str, ip: str | None, **details: Any) -> None:
        log.warning("broker: notifier post refused", reason=reason, ip=ip, **details)
        for listener in self.notifier_listeners:
            listener(reason)

    async def _request_open(self, now: datetime) -> bool:
        """A v3 request of ours is inside its authorization window (pending, or already answered once:
        Upstox may deliver again)."""
        async with self.database.sessions() as session:
            found = await session.scalar(
                select(BrokerTokenRequest.id)
                .where(
                    BrokerTokenRequest.broker == self.broker,
                    BrokerTokenRequest.state.in_(("pending", "fulfilled")),
                    BrokerTokenRequest.authorization_expiry > now,
                )
                .limit(1)
            )
        return found is not None

    async def pending_since(self, now: datetime) -> datetime | None:
        """When the latest still-pending v3 request was sent, if one is pending."""
        async with self.database.sessions() as session:
            found = await session.scalar(
                select(BrokerTokenRequest.requested_at)
                .where(
                    BrokerTokenRequest.broker == self.broker,
                    BrokerTokenRequest.state == "pending",
                    BrokerTokenRequest.authorization_expiry > now,
                )
                .order_by(BrokerTokenRequest.id.desc())
                .limit(1)
            )
        return found

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
                bound = _probe_token.set(token)
                try:
                    logged_out = await self._probe.logout()
                except UpstoxError as exc:
                    log.info("broker: Upstox logout failed; deleting anyway", error=type(exc).__name__)
                finally:
                    _probe_token.reset(bound)
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
            last_validated_at=_ist(row.last_validated_at),
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
