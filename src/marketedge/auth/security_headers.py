"""Pure ASGI middleware for transport security: client address and scheme from trusted proxies only, trusted
Host names, a request body size limit, and the security headers on every answer (UI and API alike)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marketedge.core.errors import error_bytes

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"
#: What a page on another origin (CORS_ORIGINS) may read of an answer: the CORS middleware and the hot path alike.
CORS_EXPOSED_HEADERS = ("X-Request-ID", "Retry-After", "ETag")

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class BodyTooLarge(HTTPException):
    """Raised while the body streams in; an HTTPException so the app's handlers answer it as a JSON 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")


class SecurityMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        trusted_hosts: Iterable[str] = ("*",),
        trusted_proxies: Iterable[str] = (),
        max_body_bytes: int = 1_048_576,
    ) -> None:
        self.app = app
        hosts = [h.lower() for h in trusted_hosts]
        self.any_host = "*" in hosts
        self.hosts = {h for h in hosts if not h.startswith("*.")}
        self.host_suffixes = tuple(h[1:] for h in hosts if h.startswith("*."))
        self.proxies: list[Network] = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if not self.admit(scope):
            await self._refuse(scope, send, 400, "invalid_host", "Unknown Host header.")
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return

        length = _header(scope, b"content-length")
        if length is not None:
            if not length.isdigit():
                await self._refuse(scope, send, 400, "bad_request", "Malformed Content-Length.")
                return
            if int(length) > self.max_body_bytes:
                await self._refuse(scope, send, 413, "payload_too_large", self._too_large_message())
                return

        https = scope.get("scheme") == "https"
        started = False
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge(self.max_body_bytes)
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in security_headers(https=https) if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, send, 413, "payload_too_large", self._too_large_message())

    def admit(self, scope: Scope) -> bool:
        """Apply a trusted proxy's headers to the scope and say whether its Host is one we answer to. The hot
        path (api/hot.py) asks the same before it answers, so both paths check alike."""
        if self.proxies:
            self._apply_proxy_headers(scope)
        return self._host_allowed(scope)

    def _too_large_message(self) -> str:
        return f"The request body is larger than {self.max_body_bytes} bytes."

    def _host_allowed(self, scope: Scope) -> bool:
        if self.any_host:
            return True
        host = (_header(scope, b"host") or "").lower()
        if host.startswith("["):
            host = host.split("]", 1)[0] + "]"
        else:
            host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        return host in self.hosts or (bool(self.host_suffixes) and host.endswith(self.host_suffixes))

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.proxies)

    def _apply_proxy_headers(self, scope: Scope) -> None:
        """X-Forwarded-For/-Proto count only when the peer is a trusted proxy; the client is the nearest
        address in the chain that is not one of ours (earlier entries are whatever the client claimed)."""
        client = scope.get("client")
        if not client or not self._trusted(client[0]):
            return
        forwarded_for = _header(scope, b"x-forwarded-for")
        if forwarded_for:
            chain = [part.strip() for part in forwarded_for.split(",") if part.strip()]
            for address in reversed(chain):
                if not self._trusted(address):
                    scope["client"] = (address, 0)
                    break
            else:
                scope["client"] = (chain[0], 0)
        proto = _header(scope, b"x-forwarded-proto")
        if proto:
            value = proto.split(",")[-1].strip().lower()
            if value in ("http", "https"):
                scope["scheme"] = value if scope["type"] == "http" else ("wss" if value == "https" else "ws")

    async def _refuse(self, scope: Scope, send: Send, status: int, code: str, message: str) -> None:
        request_id = scope.get("state", {}).get("request_id")
        body = error_bytes(request_id, code, message)
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            *SECURITY_HEADERS,
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def security_headers(*, https: bool) -> list[tuple[bytes, bytes]]:
    """The headers every answer carries, HSTS over HTTPS only (a new list: callers add to it)."""
    headers = list(SECURITY_HEADERS)
    if https:
        headers.append((b"strict-transport-security", HSTS.encode()))
    return headers


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None
