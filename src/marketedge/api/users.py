"""Admin: people (list, create, invite, change role, disable, delete) and the audit log (read, export)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from marketedge.api.params import IdPath, IdQuery
from marketedge.auth import audit, sessions, users
from marketedge.auth.deps import ADMIN, AdminUser, client_ip, credentials_revoked
from marketedge.auth.errors_doc import COMMON, errors
from marketedge.auth.passwords import PasswordRejected
from marketedge.auth.schemas import (
    AuditEventRead,
    AuditPage,
    InviteAnswer,
    UserCreate,
    UserInvite,
    UserRead,
    UserUpdate,
)
from marketedge.core.db import SessionDep
from marketedge.core.errors import InvalidInput
from marketedge.core.inputs import Instant, PlainText

router = APIRouter(prefix="/api/v1/admin/users", tags=["admin"], dependencies=[ADMIN], responses=COMMON)
audit_router = APIRouter(prefix="/api/v1/admin/audit", tags=["admin"], dependencies=[ADMIN], responses=COMMON)


@router.get("", summary="Every user")
async def list_users(db: SessionDep) -> list[UserRead]:
    return [UserRead.model_validate(u) for u in await users.list_users(db)]


@router.post(
    "", status_code=status.HTTP_201_CREATED, summary="Create a user with a password", responses=errors(409)
)
async def create_user(body: UserCreate, admin: AdminUser, request: Request, db: SessionDep) -> UserRead:
    try:
        user = await users.create_user(db, body.email, body.password.get_secret_value(), body.role)
    except PasswordRejected as exc:
        raise InvalidInput(str(exc), details={"field": "password"}) from None
    await audit.record(
        db, admin.email, "user.created", target=user.email, ip=client_ip(request), details={"role": user.role}
    )
    return UserRead.model_validate(user)


@router.post(
    "/invite",
    status_code=status.HTTP_201_CREATED,
    summary="Invite a user: answers a one-time password they must change at first sign-in",
    responses=errors(409),
)
async def invite_user(body: UserInvite, admin: AdminUser, request: Request, db: SessionDep) -> InviteAnswer:
    one_time = users.new_one_time_password()
    user = await users.create_user(
        db, body.email, one_time, body.role, must_change_password=True, check_rules=False
    )
    await audit.record(
        db, admin.email, "user.invited", target=user.email, ip=client_ip(request), details={"role": user.role}
    )
    return InviteAnswer(user=UserRead.model_validate(user), one_time_password=one_time)


@router.patch(
    "/{user_id}",
    summary="Change a user's role, or disable or enable them (the last admin stays)",
    responses=errors(404, 409),
)
async def update_user(
    user_id: IdPath, body: UserUpdate, admin: AdminUser, request: Request, db: SessionDep
) -> UserRead:
    user = await users.get_user(db, user_id)
    ip = client_ip(request)
    revoked = False
    if body.role is not None and body.role.value != user.role:
        before = user.role
        await users.set_role(db, user, body.role)
        await audit.record(
            db,
            admin.email,
            "user.role_changed",
            target=user.email,
            ip=ip,
            details={"from": before, "to": user.role},
        )
    if body.is_active is not None and body.is_active != user.is_active:
        await users.set_active(db, user, body.is_active)
        if not body.is_active:
            await sessions.revoke_user_sessions(db, user.id)
            revoked = True
        await audit.record(
            db, admin.email, "user.enabled" if body.is_active else "user.disabled", target=user.email, ip=ip
        )
    if revoked:
        await db.commit()
        credentials_revoked(request)
    return UserRead.model_validate(user)


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a user with their sessions and keys (the last admin stays)",
    responses=errors(404, 409),
)
async def delete_user(user_id: IdPath, admin: AdminUser, request: Request, db: SessionDep) -> Response:
    user = await users.get_user(db, user_id)
    email = user.email
    await users.delete_user(db, user)
    await audit.record(db, admin.email, "user.deleted", target=email, ip=client_ip(request))
    await db.commit()
    credentials_revoked(request)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


Action = Annotated[
    PlainText | None, Query(max_length=64, description="login, login.failure, user, api_key …")
]
Actor = Annotated[PlainText | None, Query(max_length=254, description="The email of who did it")]
Since = Annotated[Instant | None, Query(description="From this instant (ISO 8601 with an offset), inclusive")]
Until = Annotated[Instant | None, Query(description="Up to this instant (with an offset), exclusive")]


@audit_router.get("", summary="The audit log, newest first")
async def read_audit(
    db: SessionDep,
    action: Action = None,
    actor: Actor = None,
    since: Since = None,
    until: Until = None,
    before_id: IdQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    events = await audit.search(
        db,
        action=action,
        actor=actor,
        since=since,
        until=until,
        before_id=before_id,
        limit=limit,
    )
    return AuditPage(
        events=[AuditEventRead(**audit.as_dict(e)) for e in events],
        next_before_id=events[-1].id if len(events) == limit else None,
    )


@audit_router.get(
    "/export",
    summary="The audit log as CSV or JSON (a download), oldest first",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}, "application/json": {}}, "description": "The events"}},
)
async def export_audit(
    admin: AdminUser,
    request: Request,
    db: SessionDep,
    format: Literal["csv", "json"] = "csv",
    action: Action = None,
    actor: Actor = None,
    since: Since = None,
    until: Until = None,
) -> StreamingResponse:
    await audit.record(db, admin.email, "audit.exported", ip=client_ip(request), details={"format": format})
    await db.commit()
    database = request.app.state.db

    async def body() -> AsyncIterator[bytes]:
        # Its own session: the request's may be closed by the time the download is read.
        async with database.sessions() as session:
            first = True
            if format == "json":
                yield b"["
            async for event in audit.stream(session, action=action, actor=actor, since=since, until=until):
                if format == "csv":
                    yield audit.csv_lines([event], header=first).encode()
                else:
                    yield (b"" if first else b",") + orjson.dumps(audit.as_dict(event))
                first = False
            if format == "csv" and first:
                yield audit.csv_lines([], header=True).encode()
            if format == "json":
                yield b"]"

    media = "text/csv; charset=utf-8" if format == "csv" else "application/json"
    return StreamingResponse(
        body(),
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="audit.{format}"',
            "Cache-Control": "no-store",
        },
    )
