"""The hot path: an answer already served this minute goes to the next signed-in viewer who asks the same
question straight from memory (hot_store.py), without FastAPI's routing, validation, dependencies or a database
read. Pure ASGI and the outermost layer, so it applies the other middlewares' parts itself (the Host check, proxy
headers, security headers, a request id). When it may answer, and what a revoked credential costs, is in
docs/scaling.md ("The hot path")."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import os
import time
from typing import Any

import structlog
from limits import parse_many
from starlette.responses import StreamingResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marketedge.api.hot_store import AnswerKey, Grant, HotStore, Mark
from marketedge.api.params import parse_time
from marketedge.api.rendered import HOT_SLOT, Rendered, stored_answer
from marketedge.auth.security_headers import CORS_EXPOSED_HEADERS, SecurityMiddleware, security_headers
from marketedge.core.config import Settings
from marketedge.core.errors import error_bytes

log = structlog.get_logger(__name__)

HOT_PATHS = (
    "/api/v1/instruments",
    "/api/v1/sessions",
    "/api/v1/chain",
    "/api/v1/greeks/summary",
    "/api/v1/greeks/strike",
    "/api/v1/status",  # the same for every viewer (api/status.py)
    "/api/v1/tracker",  # the tracker's opening answer: status, instruments, sessions, summary in one
)
SESSION_COOKIE = b"me_session"
STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}

STREAM_PATH = "/api/v1/stream"
CORS_EXPOSED = ", ".join(CORS_EXPOSED_HEADERS).encode()
ME_PATH = "/api/v1/auth/me"  # answered from the credentials snapshot (auth/credentials.py), never stored
# Where the stream route hands over the parameters it validated (api/market.py), for the next identical start.
STREAM_SLOT = "marketedge.hot.stream"
VERIFY_WAIT_SECONDS = 10.0


def hot_path(app: ASGIApp, store: HotStore, settings: Settings) -> HotPathMiddleware:
    """The hot path in front of `app` (the framework's whole middleware stack; app.py puts it there)."""
    checks = SecurityMiddleware(
        _never_called, trusted_hosts=settings.trusted_hosts, trusted_proxies=settings.trusted_proxies
    )
    return HotPathMiddleware(
        app,
        store=store,
        rate_limit=settings.api_rate_limit,
        checks=checks,
        cors_origins=settings.cors_origins,
    )


async def _never_called(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError("only the security middleware's checks are used here")


class HotPathMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        store: HotStore,
        rate_limit: str | None = None,
        checks: SecurityMiddleware | None = None,
        cors_origins: list[str] | None = None,
    ) -> None:
        self.app = app
        self.checks = checks
        # The UI's origins when it is served elsewhere (CORS_ORIGINS): a hot answer to them carries what
        # the CORS middleware would add on the full path, or the browser would not let the page read it.
        self.cors_origins = frozenset(o.encode() for o in cors_origins or ())
        self._ids = itertools.count()
        self._id_prefix = f"{os.getpid():x}{int(time.time()):x}"
        self.store = store
        self.paths = frozenset(HOT_PATHS)
        self.limits: list[tuple[int, int]] = [
            (item.amount, item.get_expiry()) for item in (parse_many(rate_limit) if rate_limit else [])
        ]
        self._counts: dict[tuple[int, int], tuple[int, int]] = {}
        self._verifying: dict[bytes, asyncio.Event] = {}
        self._answering: dict[AnswerKey, asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"] if scope["type"] == "http" else ""
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or (path not in self.paths and path != STREAM_PATH and path != ME_PATH)
            or not self.store.enabled
        ):
            await self.app(scope, receive, send)
            return
        authorization = cookie = accept_encoding = accept = if_none_match = last_event_id = b""
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == b"cookie":
                cookie = value
            elif name == b"accept-encoding":
                accept_encoding = value
            elif name == b"accept":
                accept = value
            elif name == b"if-none-match":
                if_none_match = value
            elif name == b"last-event-id":
                last_event_id = value
        presented = _credential(authorization, cookie)
        if presented is None or (self.checks is not None and not self._passes_checks(scope)):
            await self.app(scope, receive, send)
            return
        credential, kind, secret = presented
        if path == ME_PATH:
            await self._me(scope, receive, send, kind, secret)
            return
        if self.store.granted(credential, time.monotonic()) is None:
            self._from_snapshot(credential, kind, secret)
        if path == STREAM_PATH:
            await self._stream(scope, receive, send, credential, last_event_id)
            return
        key: AnswerKey = (path, scope["query_string"], b"text/csv" in accept)
        mark = self.store.mark()
        found = self.store.answer(key, mark)
        if found is None and key in self._answering and self.store.granted(credential, time.monotonic()):
            # Someone's request is building this answer: wait for it rather than queue for the full path.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._answering[key].wait(), VERIFY_WAIT_SECONDS)
            mark = self.store.mark()
            found = self.store.answer(key, mark)
        rebuilt = False
        if found is None and self.store.granted(credential, time.monotonic()):
            found = await self._again(key, mark)
            rebuilt = found is not None
        if found is not None:
            grant = await self._grant(credential)
            if grant is not None:
                retry_after = self._spend(grant.user_id)
                if retry_after:
                    await self._refuse(scope, send, retry_after)
                    return
                if not rebuilt:
                    self.store.hits += 1
                await _send(send, found, b"gzip" in accept_encoding, if_none_match, self._edge_headers(scope))
                return
        await self._full(scope, receive, send, credential, key, mark)

    async def _again(self, key: AnswerKey, mark: Mark) -> Rendered | None:
        """The route's answer built anew for a question it has answered (None: it cannot be; the full path
        answers). One build for everyone asking meanwhile; the result is kept like the route's."""
        found = self.store.again(key)
        if found is None or key in self._answering:
            return None
        again, per_minute = found
        self._answering[key] = asyncio.Event()
        try:
            rendered = await again()
        except Exception:  # the question has no answer now (a 404, say): the route says so properly
            log.debug("hot path: an answer could not be built again", path=key[0], exc_info=True)
            self.store.forget_again(key)
            return None
        finally:
            self._answering.pop(key).set()
        self.store.rebuilt += 1
        self.store.keep(key, mark, rendered, per_minute)
        return rendered

    async def _me(self, scope: Scope, receive: Receive, send: Send, kind: str, secret: str) -> None:
        """Who am I, for a session the snapshot vouches for: no database read (every page load asks it)."""
        snapshot = self.store.credentials
        found = snapshot.session_me(secret) if snapshot is not None and kind == "session" else None
        if found is None or scope["query_string"]:
            await self.app(scope, receive, send)  # the route answers (and refuses unknown parameters)
            return
        user_id, body = found
        retry_after = self._spend(user_id)
        if retry_after:
            await self._refuse(scope, send, retry_after)
            return
        self.store.me_hits += 1
        headers = [
            *self._edge_headers(scope),
            (b"cache-control", b"no-store"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _from_snapshot(self, credential: bytes, kind: str, secret: str) -> None:
        """Grant a credential the snapshot of live sessions and keys vouches for (no database read)."""
        snapshot = self.store.credentials
        if snapshot is None:
            return
        user_id = snapshot.session_user(secret) if kind == "session" else snapshot.key_user(secret)
        if user_id is not None:
            self.store.grant(credential, user_id, time.monotonic())

    async def _grant(self, credential: bytes) -> Grant | None:
        """The credential's grant; when a sibling request is checking it right now, wait for that check."""
        grant = self.store.granted(credential, time.monotonic())
        if grant is None and credential in self._verifying:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._verifying[credential].wait(), VERIFY_WAIT_SECONDS)
            grant = self.store.granted(credential, time.monotonic())
        return grant

    async def _full(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        credential: bytes,
        key: AnswerKey | None = None,
        mark: Mark | None = None,
    ) -> None:
        """The app answers. When the route answered (so the credential passed the viewer check), the credential
        is granted at once, and a stored answer or validated stream parameters are kept for the next caller."""
        slot: list[Any] = []
        scope[HOT_SLOT if key is not None else STREAM_SLOT] = slot
        checking = (
            credential not in self._verifying and self.store.granted(credential, time.monotonic()) is None
        )
        if checking:
            self._verifying[credential] = asyncio.Event()
        answering = key is not None and key not in self._answering
        if answering:
            assert key is not None
            self._answering[key] = asyncio.Event()
        status = 0

        def answered() -> None:
            principal = scope.get("state", {}).get("principal")
            user = getattr(principal, "user", None)
            if user is not None:
                self._spend(int(user.id))
            if status in (200, 304) and slot and user is not None:
                self.store.grant(credential, int(user.id), time.monotonic())
                if key is not None and mark is not None:
                    self.store.keep(key, mark, *slot[-1])
                elif key is None:  # a stream: its answer lasts as long as the client stays
                    self.store.keep_stream(scope["query_string"], slot[-1])
            if checking:
                self._verifying.pop(credential).set()

        async def watch(message: Message) -> None:
            nonlocal status, checking
            if message["type"] == "http.response.start":
                status = message["status"]
                answered()
                checking = False
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if checking:
                self._verifying.pop(credential).set()
            if answering:
                assert key is not None
                self._answering.pop(key).set()

    async def _stream(
        self, scope: Scope, receive: Receive, send: Send, credential: bytes, last_event_id: bytes
    ) -> None:
        """A stream start whose query the route validated today: straight to the broadcaster."""
        params = self.store.stream_params(scope["query_string"])
        grant = await self._grant(credential) if params is not None else None
        if params is None or grant is None:
            await self._full(scope, receive, send, credential)
            return
        retry_after = self._spend(grant.user_id)
        if retry_after:
            await self._refuse(scope, send, retry_after)
            return
        state = scope["app"].state
        try:
            last_seen = parse_time(last_event_id.decode("latin-1") or None, params.day, "Last-Event-ID")
            mark = self.store.mark()
            selected = self.store.selected(params, mark)
            if selected is None:
                selected = await state.market_data.select(params.symbol, params.expiry, params.day)
                self.store.keep_selected(params, mark, selected)
        except Exception:  # a malformed Last-Event-ID, a day gone: the route answers it properly
            await self._full(scope, receive, send, credential)
            return
        self.store.stream_hits += 1
        response = StreamingResponse(
            state.live.stream(params, last_seen, selected),
            media_type="text/event-stream",
            headers=STREAM_HEADERS,
        )
        response.raw_headers.extend(self._edge_headers(scope))
        await response(scope, receive, send)

    def _passes_checks(self, scope: Scope) -> bool:
        """The security middleware's Host check and proxy headers, applied as it would (api answers only)."""
        assert self.checks is not None
        return self.checks.admit(scope)

    def _edge_headers(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        """What the outer middlewares add to every answer: the security headers and a request id."""
        headers = security_headers(https=scope.get("scheme") == "https")
        headers.append((b"x-request-id", f"{self._id_prefix}{next(self._ids):x}".encode()))
        if self.cors_origins:
            origin = next((v for n, v in scope["headers"] if n == b"origin"), None)
            if origin in self.cors_origins:
                headers += [
                    (b"access-control-allow-origin", origin),
                    (b"access-control-allow-credentials", b"true"),
                    (b"access-control-expose-headers", CORS_EXPOSED),
                    (b"vary", b"Origin"),
                ]
        return headers

    def _spend(self, user_id: int) -> int:
        """Count one request against the per-person allowance (API_RATE_LIMIT); 0 when within it, else the
        seconds until it refills. Counted here in fixed windows (the limiter's own counter would be a large
        part of a hot answer's cost: docs/scaling.md, "Allowance"); the full path's answers count here too, so
        a person has one allowance, not two."""
        now = time.time()
        counts = self._counts
        if len(counts) > 200_000:
            counts.clear()
        for i, (amount, seconds) in enumerate(self.limits):
            window = int(now // seconds)
            started, used = counts.get((user_id, i), (window, 0))
            if started != window:
                started, used = window, 0
            if used >= amount:
                return max(1, int((window + 1) * seconds - now))
            counts[(user_id, i)] = (started, used + 1)
        return 0

    async def _refuse(self, scope: Scope, send: Send, retry_after: int) -> None:
        """429 in the one error shape, as the full path's limiter answers it."""
        headers = self._edge_headers(scope)
        request_id = headers[-1][1].decode()
        body = error_bytes(
            request_id,
            "rate_limited",
            f"Too many requests; try again in {retry_after} s.",
            {"retry_after": retry_after},
        )
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(retry_after).encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _credential(authorization: bytes, cookie: bytes) -> tuple[bytes, str, str] | None:
    """What identifies the caller: its digest (the grants' key), its kind and the secret itself (for the
    snapshot). The Authorization header wins over the cookie, as in auth/deps.py."""
    if authorization:
        scheme, _, presented = authorization.decode("latin-1").partition(" ")
        kind = "key" if scheme.lower() == "bearer" else "other"
        return hashlib.blake2b(b"a:" + authorization, digest_size=20).digest(), kind, presented.strip()
    if not cookie:
        return None
    token = None
    for part in cookie.split(b";"):
        name, sep, value = part.strip().partition(b"=")
        if sep and name == SESSION_COOKIE:
            if token is not None:
                return None  # two session cookies: let the full check decide
            token = value.strip(b'"')
    if not token:
        return None
    return hashlib.blake2b(b"c:" + token, digest_size=20).digest(), "session", token.decode("latin-1")


async def _send(
    send: Send, rendered: Rendered, gzip_ok: bool, if_none_match: bytes, extra: list[tuple[bytes, bytes]]
) -> None:
    status, headers, body = stored_answer(rendered, if_none_match.decode("latin-1"), gzip_ok)
    headers = [*extra, *headers]
    if status == 200:
        headers += [(b"content-type", rendered.media_type.encode()), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
