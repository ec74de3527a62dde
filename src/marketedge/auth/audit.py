"""The audit log: who did what, when, from where. Writes `audit_event`; admins read and export it.

Events are kept at least a year (docs/security.md). Details never hold a secret: callers pass names and ids,
and the log redaction rules are applied to details before they are stored as a second guard."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from marketedge.core import clock
from marketedge.core.db import Database
from marketedge.core.logs import _redact_value
from marketedge.models.audit import AuditEvent

FIELDS = ("id", "at", "actor", "action", "target", "ip", "details")
SYSTEM = "system"


def _event(
    actor: str, action: str, target: str | None, ip: str | None, details: dict[str, Any] | None
) -> AuditEvent:
    clean = {k: _redact_value(k, v) for k, v in details.items()} if details else None
    return AuditEvent(
        at=clock.utcnow(),
        actor=actor[:254],
        action=action[:64],
        target=target[:254] if target else None,
        ip=ip[:64] if ip else None,
        details=clean,
    )


async def record(
    session: AsyncSession,
    actor: str,
    action: str,
    *,
    target: str | None = None,
    ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add an event to the request's transaction: it is kept only if the action itself is."""
    session.add(_event(actor, action, target, ip, details))


async def record_now(
    database: Database,
    actor: str,
    action: str,
    *,
    target: str | None = None,
    ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Write an event in its own transaction: for refusals (a failed sign-in), whose request rolls back."""
    async with database.sessions() as session:
        session.add(_event(actor, action, target, ip, details))
        await session.commit()


def _filtered(action: str | None, actor: str | None, since: datetime | None, until: datetime | None) -> Any:
    query = select(AuditEvent)
    if action:
        # "login" matches login.success and login.failure; "login.failure" only itself.
        query = query.where((AuditEvent.action == action) | AuditEvent.action.startswith(action + "."))
    if actor:
        query = query.where(AuditEvent.actor == actor.strip().lower())
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < until)
    return query


async def search(
    session: AsyncSession,
    *,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    """Newest first; page with before_id (the smallest id of the previous page)."""
    query = _filtered(action, actor, since, until)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return list(await session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))


async def stream(
    session: AsyncSession,
    *,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    batch: int = 1000,
) -> AsyncIterator[AuditEvent]:
    """Every matching event, oldest first, a batch at a time (an export of a year stays small in memory)."""
    after = 0
    while True:
        query = _filtered(action, actor, since, until).where(AuditEvent.id > after)
        rows = list(await session.scalars(query.order_by(AuditEvent.id).limit(batch)))
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        after = rows[-1].id


def as_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "target": event.target,
        "ip": event.ip,
        "details": event.details,
    }


def _cell(value: Any) -> str:
    text = "" if value is None else value if isinstance(value, str) else orjson.dumps(value).decode()
    # A spreadsheet runs a cell that starts with = + - @ as a formula: quote it so it stays text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(events: Iterable[AuditEvent], *, header: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow(FIELDS)
    for event in events:
        row = as_dict(event)
        writer.writerow([_cell(row[name]) for name in FIELDS])
    return out.getvalue()
