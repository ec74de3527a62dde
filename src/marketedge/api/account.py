"""Your own account: API keys (create, list, revoke), your data (download, with your consent records) and
deleting the account."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from marketedge.api.auth import NO_STORE, clear_session_cookies
from marketedge.api.params import IdPath
from marketedge.auth import api_keys, audit, consent, sessions, users
from marketedge.auth.deps import VIEWER, CurrentPrincipal, SessionPrincipal, client_ip, credentials_revoked
from marketedge.auth.errors_doc import COMMON, errors
from marketedge.auth.passwords import verify_password
from marketedge.auth.schemas import (
    AccountDelete,
    AccountExport,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    AuditEventRead,
    SessionRead,
    UserRead,
)
from marketedge.core import clock
from marketedge.core.db import SessionDep

router = APIRouter(prefix="/api/v1/account", tags=["account"], dependencies=[VIEWER], responses=COMMON)


@router.get("/api-keys", summary="Your API keys (never the keys themselves)")
async def list_keys(principal: CurrentPrincipal, db: SessionDep) -> list[ApiKeyRead]:
    return [ApiKeyRead.model_validate(k) for k in await api_keys.list_keys(db, principal.user.id)]


@router.post(
    "/api-keys",
    status_code=status.HTTP_201_CREATED,
    summary="Create an API key: the answer holds the key, shown this once",
)
async def create_key(
    body: ApiKeyCreate, principal: SessionPrincipal, request: Request, response: Response, db: SessionDep
) -> ApiKeyCreated:
    record, key = await api_keys.create_key(
        db, principal.user, body.name, body.scopes, expires_in_days=body.expires_in_days
    )
    await audit.record(
        db,
        principal.user.email,
        "api_key.created",
        target=record.prefix,
        ip=client_ip(request),
        details={"name": record.name, "scopes": record.scopes},
    )
    response.headers.update(NO_STORE)
    return ApiKeyCreated(**ApiKeyRead.model_validate(record).model_dump(), key=key)


@router.delete(
    "/api-keys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke one of your API keys",
    responses=errors(404),
)
async def revoke_key(
    key_id: IdPath, principal: SessionPrincipal, request: Request, db: SessionDep
) -> Response:
    record = await api_keys.revoke_key(db, principal.user.id, key_id)
    await audit.record(
        db, principal.user.email, "api_key.revoked", target=record.prefix, ip=client_ip(request)
    )
    await db.commit()
    credentials_revoked(request)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/export", summary="Download everything Market Edge keeps about you")
async def export_account(
    principal: SessionPrincipal, request: Request, response: Response, db: SessionDep
) -> AccountExport:
    user = principal.user
    events = [e async for e in audit.stream(db, actor=user.email)]
    await audit.record(db, user.email, "account.exported", ip=client_ip(request))
    response.headers.update(NO_STORE)
    response.headers["Content-Disposition"] = 'attachment; filename="market-edge-account.json"'
    return AccountExport(
        exported_at=clock.utcnow(),
        user=UserRead.model_validate(user),
        sessions=[SessionRead.model_validate(s) for s in await sessions.list_sessions(db, user.id)],
        api_keys=[ApiKeyRead.model_validate(k) for k in await api_keys.list_keys(db, user.id)],
        consents=[consent.record(r) for r in (await consent.status(db, user.id)).history],
        audit_events=[AuditEventRead(**audit.as_dict(e)) for e in events],
        note=(
            "Passwords, session tokens and API keys are kept only as one-way hashes and are not included. "
            "Audit events about you are kept for one year for security, also after the account is deleted."
        ),
    )


@router.delete(
    "",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete your account (confirm with your password); the last admin cannot",
    responses=errors(400, 409),
)
async def delete_account(
    body: AccountDelete, principal: SessionPrincipal, request: Request, db: SessionDep
) -> Response:
    user = principal.user
    if not verify_password(user.password_hash, body.password.get_secret_value()):
        raise users.WrongPassword("The password is wrong.")
    email = user.email
    await users.delete_user(db, user)
    await audit.record(db, email, "account.deleted", target=email, ip=client_ip(request))
    await db.commit()
    credentials_revoked(request)
    answer = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookies(request, answer)
    return answer
