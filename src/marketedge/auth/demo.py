"""The demo's viewer account: `marketedge demo` makes (or resets) it and prints its credentials at start.

Its consent to the current privacy notice and terms is recorded here, so the demo opens on the tracker with
CONSENT_REQUIRED on; a real person's consent is only ever recorded when they agree on the consent screen."""

from __future__ import annotations

from marketedge.auth import audit, consent, legal, users
from marketedge.auth.passwords import hash_password
from marketedge.auth.roles import Role
from marketedge.core import clock
from marketedge.core.db import Database

DEMO_EMAIL = "demo@marketedge.test"


async def ensure_demo_account(database: Database) -> tuple[str, str]:
    """Create the demo viewer, or give it a fresh password; answers (email, password) to print.

    For development only (the caller checks): the password is new at every start and shown on the terminal."""
    password = users.new_one_time_password()
    async with database.sessions() as session:
        user = await users.find_by_email(session, DEMO_EMAIL)
        if user is None:
            user = await users.create_user(session, DEMO_EMAIL, password, Role.viewer, check_rules=False)
            await audit.record(
                session, audit.SYSTEM, "user.created", target=DEMO_EMAIL, details={"role": "viewer"}
            )
        else:
            user.password_hash = hash_password(password)
            user.role = Role.viewer.value
            user.is_active = True
            user.must_change_password = False
            user.password_changed_at = user.updated_at = clock.utcnow()
        if not (await consent.status(session, user.id)).current:
            await consent.give(session, user.id, DEMO_EMAIL, legal.consent_versions(), ip=None)
        await session.commit()
    return DEMO_EMAIL, password
