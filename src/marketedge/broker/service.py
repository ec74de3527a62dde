"""The TokenService: every way a new Upstox token arrives (paste, OAuth, the v3 request and its notifier). Each
is validated with a real Upstox call before it is stored, so a working token is never replaced by a bad one,
and each public operation is its own unit of work: it commits, then updates the cache (broker/token_store.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson
import structlog
from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from marketedge.auth import audit
from marketedge.broker import oauth
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
    TokenKind,
    TokenSource,
    TokenStatus,
    access_token_expiry,
    token_claims,
)
from marketedge.broker.schemas import CallbackResult, TokenRead, TokenRequestAnswer, TokenRequestRead
from marketedge.broker.token_state import (
    NOTIFIER_MAX_BYTES,
    UPSTOX_ACTOR,
    Validation,
    kind_problem,
    same_text,
    validity_problem,
)
from marketedge.broker.token_store import TokenStore
from marketedge.core import clock
from marketedge.core.clock import IST
from marketedge.core.errors import UpstreamUnavailable as UpstreamUnavailableError
from marketedge.models.broker import BrokerToken, BrokerTokenRequest
from marketedge.upstox import RateLimited, UpstoxError, UpstreamUnavailable
from marketedge.upstox.errors import token_fingerprint
from marketedge.upstox.schemas import NotifierPayload

log = structlog.get_logger(__name__)


class TokenService(TokenStore):
    """Build once per process (the Runtime does); `aclose()` at the end."""

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
        problem = validity_problem(kind, claims, valid_until, now)
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
        problem = kind_problem(kind, claims, now)  # Upstox took it; does it say it is what the person said?
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
            assert valid_until is not None  # validity_problem said so otherwise
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
            if not browser_nonce or not same_text(browser_nonce, state_data.nonce):
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
        if not self.app.client_id or not same_text(payload.client_id, self.app.client_id):
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
