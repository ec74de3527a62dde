"""Sign-in, sign-out, who am I, password change (and self-registration when ALLOW_REGISTRATION is on)."""

from __future__ import annotations

import contextlib
import hashlib

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from marketedge.auth import audit, consent, sessions, users
from marketedge.auth.deps import (
    PUBLIC,
    PendingPrincipal,
    Principal,
    client_ip,
    credentials_revoked,
    require,
    security_state,
)
from marketedge.auth.errors_doc import COMMON, errors
from marketedge.auth.passwords import PasswordRejected
from marketedge.auth.ratelimit import (
    LOGIN_ATTEMPTS_PER_IP,
    LOGIN_FAILURES_PER_ACCOUNT,
    LOGIN_FAILURES_PER_IP,
)
from marketedge.auth.roles import Role
from marketedge.auth.schemas import (
    LoginAnswer,
    LoginRequest,
    MeConsent,
    MeRead,
    PasswordChange,
    Registration,
    UserRead,
)
from marketedge.core.db import SessionDep
from marketedge.core.errors import InvalidInput, RateLimited, Unauthorized

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=COMMON)
registration = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=COMMON)

NO_STORE = {"Cache-Control": "no-store"}


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookies(request: Request, response: Response, token: str, csrf: str) -> None:
    settings = security_state(request).settings
    secure = is_https(request)
    max_age = settings.session_max_hours * 3600
    response.set_cookie(
        sessions.SESSION_COOKIE,
        token,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )
    # Readable by our own scripts (double submit): the UI sends it back as X-CSRF-Token.
    response.set_cookie(
        sessions.CSRF_COOKIE,
        csrf,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=False,
        samesite="strict",
    )


def clear_session_cookies(request: Request, response: Response) -> None:
    secure = is_https(request)
    response.delete_cookie(sessions.SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="lax")
    response.delete_cookie(sessions.CSRF_COOKIE, path="/", secure=secure, httponly=False, samesite="strict")


async def consent_state(request: Request, db: AsyncSession, user_id: int) -> MeConsent:
    """Whether the UI must show the consent screen before anything else (docs/compliance.md)."""
    required = security_state(request).settings.consent_required
    current = (await consent.status(db, user_id)).current
    return MeConsent(required=required, current=current, needed=required and not current)


async def me_answer(request: Request, principal: Principal, db: AsyncSession) -> MeRead:
    settings = security_state(request).settings
    if principal.session is not None:
        return MeRead(
            user=UserRead.model_validate(principal.user),
            consent=await consent_state(request, db, principal.user.id),
            via="session",
            csrf_token=sessions.csrf_token(settings.secret_key, principal.session.id),
            session_expires_at=principal.session.expires_at,
        )
    return MeRead(
        user=UserRead.model_validate(principal.user), via="api_key", scopes=sorted(principal.scopes)
    )


def _account_key(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:32]


@router.post(
    "/login",
    dependencies=[PUBLIC],
    summary="Sign in: sets the session cookie and answers the CSRF token",
    responses=errors(401, 403, 429),
)
async def login(body: LoginRequest, request: Request, response: Response, db: SessionDep) -> LoginAnswer:
    state = security_state(request)
    database = request.app.state.db
    ip = client_ip(request) or "-"
    email = body.email.strip().lower()
    account = _account_key(email)
    await state.limiter.hit(LOGIN_ATTEMPTS_PER_IP, "login-ip", ip)
    try:
        await state.limiter.check(LOGIN_FAILURES_PER_IP, "login-fail-ip", ip)
        await state.limiter.check(LOGIN_FAILURES_PER_ACCOUNT, "login-fail-account", account)
    except RateLimited:
        known = await users.find_by_email(db, email)
        await audit.record_now(database, known.email if known else "anonymous", "login.locked", ip=ip)
        raise
    user = await users.authenticate(db, email, body.password.get_secret_value())
    if user is None:
        for items, keys in (
            (LOGIN_FAILURES_PER_IP, ("login-fail-ip", ip)),
            (LOGIN_FAILURES_PER_ACCOUNT, ("login-fail-account", account)),
        ):
            # This failure may spend the last try: then the next attempt is refused, not this one.
            with contextlib.suppress(RateLimited):
                await state.limiter.hit(items, *keys)
        known = await users.find_by_email(db, email)
        # An unknown email is not stored: people type passwords into the email field.
        await audit.record_now(
            database,
            known.email if known else "anonymous",
            "login.failure",
            ip=ip,
            details={"reason": "wrong_password" if known else "unknown_email"},
        )
        raise Unauthorized("Email or password is wrong.")
    await state.limiter.clear(LOGIN_FAILURES_PER_ACCOUNT, "login-fail-account", account)
    new = await sessions.start_session(
        db, user, state.settings, ip=client_ip(request), user_agent=request.headers.get("user-agent")
    )
    await audit.record(db, user.email, "login.success", ip=ip)
    csrf = sessions.csrf_token(state.settings.secret_key, new.record.id)
    set_session_cookies(request, response, new.token, csrf)
    response.headers.update(NO_STORE)
    return LoginAnswer(
        user=UserRead.model_validate(user),
        consent=await consent_state(request, db, user.id),
        via="session",
        csrf_token=csrf,
        session_expires_at=new.record.expires_at,
    )


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign out: ends this session",
)
async def logout(principal: PendingPrincipal, request: Request, db: SessionDep) -> Response:
    assert principal.session is not None
    await sessions.revoke_session(db, principal.session)
    await audit.record(db, principal.user.email, "logout", ip=client_ip(request))
    await db.commit()  # revoked before anything forgets it was accepted
    credentials_revoked(request)
    answer = Response(status_code=status.HTTP_204_NO_CONTENT, headers=NO_STORE)
    clear_session_cookies(request, answer)
    return answer


@router.get("/me", summary="Who is signed in (and the CSRF token of this session)")
async def me(
    request: Request,
    response: Response,
    db: SessionDep,
    principal: Principal = Depends(require(Role.viewer, while_password_change_pending=True)),
) -> MeRead:
    response.headers.update(NO_STORE)
    return await me_answer(request, principal, db)


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change your password: every other session of yours ends",
    responses=errors(400),
)
async def change_password(
    body: PasswordChange, principal: PendingPrincipal, request: Request, db: SessionDep
) -> Response:
    assert principal.session is not None
    try:
        await users.change_password(
            db, principal.user, body.current_password.get_secret_value(), body.new_password.get_secret_value()
        )
    except PasswordRejected as exc:
        raise InvalidInput(str(exc), details={"field": "new_password"}) from None
    await sessions.revoke_user_sessions(db, principal.user.id, keep=principal.session.id)
    await audit.record(db, principal.user.email, "password.changed", ip=client_ip(request))
    await db.commit()
    credentials_revoked(request)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@registration.post(
    "/register",
    dependencies=[PUBLIC],
    status_code=status.HTTP_201_CREATED,
    summary="Create your own viewer account (only when ALLOW_REGISTRATION is on)",
    responses=errors(409),
)
async def register(body: Registration, request: Request, db: SessionDep) -> UserRead:
    state = security_state(request)
    await state.limiter.hit(LOGIN_ATTEMPTS_PER_IP, "login-ip", client_ip(request) or "-")
    try:
        user = await users.create_user(db, body.email, body.password.get_secret_value(), Role.viewer)
    except PasswordRejected as exc:
        raise InvalidInput(str(exc), details={"field": "password"}) from None
    await audit.record(db, user.email, "user.registered", target=user.email, ip=client_ip(request))
    return UserRead.model_validate(user)
