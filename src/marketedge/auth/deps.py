"""Who is asking and may they: the access declarations every route makes, and the named dependency types.

Every route (or its router) declares its access with exactly one of VIEWER, ADMIN, `require(...)`, PUBLIC or
WEBHOOK, and the route-table test checks that it does, so no route is open by omission. Routes that need the
person read them with `CurrentUser`, `AdminUser` or `CurrentPrincipal`, which declare viewer, admin and viewer
access themselves (docs/security.md, "How a new route declares its access").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from fastapi.params import Depends as DependsParam
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from marketedge.auth import api_keys, sessions
from marketedge.auth.consent import CONSENT_FREE_PATHS, require_current
from marketedge.auth.ratelimit import WEBHOOK_PER_IP, RateLimiter
from marketedge.auth.roles import Access, Level, Role, Scope
from marketedge.core.config import Settings
from marketedge.core.db import SessionDep
from marketedge.core.errors import Forbidden, Unauthorized
from marketedge.models.user import ApiKey, User, UserSession

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Declared for the OpenAPI document (clients and schemathesis see how to authenticate); checked below.
_cookie_scheme = APIKeyCookie(name=sessions.SESSION_COOKIE, auto_error=False, scheme_name="session")
_bearer_scheme = HTTPBearer(auto_error=False, scheme_name="apiKey", description="A personal API key (me_…)")


@dataclass(frozen=True)
class SecurityState:
    settings: Settings
    limiter: RateLimiter


def security_state(request: Request) -> SecurityState:
    state: SecurityState = request.app.state.security
    return state


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


@dataclass
class Principal:
    """The person behind a request, and how they proved it."""

    user: User
    via: Literal["session", "api_key"]
    session: UserSession | None = None
    api_key: ApiKey | None = None

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    @property
    def scopes(self) -> set[Scope]:
        return {Scope(s) for s in self.api_key.scopes} if self.api_key else set(Scope)


async def optional_principal(
    request: Request,
    db: SessionDep,
    cookie: Annotated[str | None, Depends(_cookie_scheme)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)],
) -> Principal | None:
    """The signed-in principal, or None. An Authorization header wins over a cookie (and skips CSRF)."""
    state = security_state(request)
    principal: Principal | None = None
    if request.headers.get("authorization"):
        if bearer is None or not bearer.credentials:
            raise Unauthorized("Send an API key as `Authorization: Bearer me_…`.")
        found = await api_keys.find_key(db, bearer.credentials)
        if found is None:
            raise Unauthorized("That API key is unknown, revoked or expired.")
        principal = Principal(user=found[1], via="api_key", api_key=found[0])
    elif cookie:
        live = await sessions.find_session(db, cookie, state.settings)
        if live is not None:
            principal = Principal(user=live[1], via="session", session=live[0])
    # End the lookup's transaction now: a long answer (the live stream) must not hold a pooled connection
    # for its whole life. The objects stay usable (expire_on_commit=False) and later changes commit as usual.
    await db.commit()
    if principal is not None:
        await state.limiter.hit(
            _api_limits(state.settings.api_rate_limit), "api", str(principal.user.id), cheap=True
        )
        request.state.principal = principal
    return principal


@lru_cache(maxsize=8)
def _api_limits(spec: str) -> list[Any]:
    from limits import parse_many

    return parse_many(spec)


def credentials_revoked(request: Request) -> None:
    """Call after ending sessions or keys: anything that remembers accepted credentials forgets them now.

    Today that is the market-data hot path (`app.state.hot`, api/hot.py), which skips the full check for a
    credential accepted in the last HOT_GRANT_SECONDS. Other replicas forget within that many seconds."""
    hot = getattr(request.app.state, "hot", None)
    forget = getattr(hot, "forget_grants", None)
    if callable(forget):
        forget()


def check_origin(request: Request) -> None:
    """Refuse a state-changing request that a browser says comes from another site."""
    if request.method in SAFE_METHODS:
        return
    settings = security_state(request).settings
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.url.netloc}"
    if origin is not None and origin != "null":
        if origin.rstrip("/") != own and origin.rstrip("/") not in settings.cors_origins:
            raise Forbidden("Cross-site request refused.", details={"reason": "origin"})
    elif origin == "null":
        raise Forbidden("Cross-site request refused.", details={"reason": "origin"})
    elif request.headers.get("sec-fetch-site") == "cross-site":
        raise Forbidden("Cross-site request refused.", details={"reason": "sec-fetch-site"})


def check_csrf(request: Request, principal: Principal) -> None:
    """Cookie-authenticated state changes need the session's CSRF token in X-CSRF-Token (double submit)."""
    if request.method in SAFE_METHODS or principal.via != "session" or principal.session is None:
        return
    check_origin(request)
    secret = security_state(request).settings.secret_key
    if not sessions.csrf_matches(secret, principal.session.id, request.headers.get(sessions.CSRF_HEADER)):
        raise Forbidden(
            "Missing or wrong CSRF token: send the X-CSRF-Token header the sign-in gave you.",
            details={"reason": "csrf"},
        )


_instances: dict[tuple[Role, tuple[tuple[str, Any], ...]], require] = {}


class _Declared:
    """A dependency that carries an access declaration (`__access__`) the route-table walker reads."""

    __access__: Access

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.__access__})"


class require(_Declared):  # lower case: it reads as a verb in Depends(require(Role.admin))
    """Signed-in, with at least `role`; API keys need `scope` (None: a browser session only)."""

    def __init__(
        self,
        role: Role,
        *,
        scope: Scope | Literal["default"] | None = "default",
        while_password_change_pending: bool = False,
    ) -> None:
        if scope == "default":
            scope = Scope.admin if role is Role.admin else Scope.read
        self.__access__ = Access(Level(role.value), scope, while_password_change_pending)

    def __new__(cls, role: Role, **kwargs: Any) -> require:
        # One instance per declaration, so FastAPI runs each check once per request however often it appears.
        key = (role, tuple(sorted(kwargs.items())))
        if key not in _instances:
            _instances[key] = super().__new__(cls)
        return _instances[key]

    async def __call__(
        self, request: Request, principal: Annotated[Principal | None, Depends(optional_principal)]
    ) -> Principal:
        access = self.__access__
        if principal is None:
            raise Unauthorized("Sign in first.")
        if principal.via == "api_key":
            if access.scope is None:
                raise Forbidden("This needs a signed-in browser session; an API key cannot do it.")
            if access.scope not in principal.scopes and Scope.admin not in principal.scopes:
                raise Forbidden(f"This API key lacks the scope {access.scope.value!r}.")
        check_csrf(request, principal)
        if principal.user.must_change_password and not access.while_password_change_pending:
            raise Forbidden(
                "Change the one-time password first.", details={"reason": "password_change_required"}
            )
        assert access.role is not None
        if not principal.role.includes(access.role):
            raise Forbidden(f"This needs the {access.role.value} role.")
        if (
            principal.via == "session"
            and security_state(request).settings.consent_required
            and not access.while_password_change_pending
            and getattr(request.scope.get("route"), "path", None) not in CONSENT_FREE_PATHS
        ):
            # DPDP consent (docs/compliance.md): before it, only the routes usable while a password change is
            # pending (me, logout, the consent itself) and your data's download and deletion.
            await require_current(request.app.state.db, principal.user.id)
        return principal


class _Public(_Declared):
    """Open to anyone; a state-changing call still has to come from our own pages (login CSRF)."""

    __access__ = Access(Level.public)

    async def __call__(self, request: Request) -> None:
        check_origin(request)


class _Webhook(_Declared):
    """Called by a third party (Upstox's notifier): open, rate-limited per address; the route checks its
    own signature or secret."""

    __access__ = Access(Level.webhook)

    async def __call__(self, request: Request) -> None:
        await security_state(request).limiter.hit(WEBHOOK_PER_IP, "webhook", client_ip(request) or "-")


public = _Public()
webhook = _Webhook()

PUBLIC: DependsParam = Depends(public)
WEBHOOK: DependsParam = Depends(webhook)
VIEWER: DependsParam = Depends(require(Role.viewer))
ADMIN: DependsParam = Depends(require(Role.admin))


async def _current_user(principal: Annotated[Principal, Depends(require(Role.viewer))]) -> User:
    return principal.user


async def _admin_user(principal: Annotated[Principal, Depends(require(Role.admin))]) -> User:
    return principal.user


CurrentPrincipal = Annotated[Principal, Depends(require(Role.viewer))]
CurrentUser = Annotated[User, Depends(_current_user)]
AdminUser = Annotated[User, Depends(_admin_user)]
# Account self-service (password, keys, export, delete): a browser session, never an API key.
SessionPrincipal = Annotated[Principal, Depends(require(Role.viewer, scope=None))]
PendingPrincipal = Annotated[
    Principal, Depends(require(Role.viewer, scope=None, while_password_change_pending=True))
]
