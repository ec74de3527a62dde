"""Consent under the DPDP Act 2023: a person accepts the current privacy notice and terms (their versions
recorded), can see what they accepted, and can withdraw as easily: withdrawal signs them out everywhere and
revokes their API keys. With CONSENT_REQUIRED on, the gate refuses everything else until they accept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from marketedge.auth import audit, legal, sessions
from marketedge.auth.schemas import ConsentRecord
from marketedge.core import clock
from marketedge.core.db import Database
from marketedge.core.errors import Conflict, Forbidden
from marketedge.models import ApiKey, Consent

# Usable before consent besides the routes open during a password change: your data's download and deletion.
CONSENT_FREE_PATHS = frozenset({"/api/v1/account/export", "/api/v1/account"})


@dataclass(frozen=True, slots=True)
class ConsentStatus:
    required: dict[str, str]  # document → the version to accept now
    accepted: dict[str, tuple[str, datetime]]  # document → (version, when) of the standing consent
    history: list[Consent]

    @property
    def current(self) -> bool:
        return all(self.accepted.get(d, ("", None))[0] == v for d, v in self.required.items())


def record(row: Consent) -> ConsentRecord:
    return ConsentRecord(
        document=row.document,
        version=row.version,
        given_at=row.given_at,
        withdrawn_at=row.withdrawn_at,
        ip=row.ip,
    )


async def status(session: AsyncSession, user_id: int) -> ConsentStatus:
    rows = list(await session.scalars(select(Consent).where(Consent.user_id == user_id).order_by(Consent.id)))
    accepted = {r.document: (r.version, r.given_at) for r in rows if r.withdrawn_at is None}
    return ConsentStatus(legal.consent_versions(), accepted, rows)


async def give(
    session: AsyncSession, user_id: int, email: str, versions: dict[str, str], ip: str | None
) -> ConsentStatus:
    """Record consent to the current versions; a stale version (the person read an older text) is refused."""
    required = legal.consent_versions()
    if versions != required:
        raise Conflict(
            "The documents changed since you opened them: read the current versions and accept those.",
            details={"required": required},
        )
    now = clock.utcnow()
    await session.execute(
        update(Consent)
        .where(Consent.user_id == user_id, Consent.withdrawn_at.is_(None))
        .values(withdrawn_at=now)  # superseded by the new record
    )
    for document, version in required.items():
        session.add(Consent(user_id=user_id, document=document, version=version, given_at=now, ip=ip))
    await audit.record(session, email, "consent.given", ip=ip, details=required)
    await session.flush()
    return await status(session, user_id)


async def withdraw(session: AsyncSession, user_id: int, email: str, ip: str | None) -> int:
    """Withdraw every standing consent; end all sessions and API keys. Returns how many were withdrawn."""
    now = clock.utcnow()
    result = await session.execute(
        update(Consent)
        .where(Consent.user_id == user_id, Consent.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )
    await sessions.revoke_user_sessions(session, user_id)
    await session.execute(
        update(ApiKey).where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None)).values(revoked_at=now)
    )
    await audit.record(session, email, "consent.withdrawn", ip=ip)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def require_current(database: Database, user_id: int) -> None:
    """The gate (CONSENT_REQUIRED): refuse until the current privacy notice and terms are accepted. Its own
    short session: a refusal must not roll back (and so expire) the request's signed-in user."""
    async with database.sessions() as session:
        found = await status(session, user_id)
    if not found.current:
        raise Forbidden(
            "Read and accept the privacy notice and the terms of use first.",
            details={"reason": "consent_required", "required": found.required},
        )
