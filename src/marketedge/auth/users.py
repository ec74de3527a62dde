"""People: create, find, sign in, change password and role, disable, delete; the last admin always stays."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from marketedge.auth.passwords import check_password, hash_password, needs_rehash, verify_password
from marketedge.auth.roles import Role
from marketedge.core import clock
from marketedge.core.errors import AppError, Conflict, InvalidInput, NotFound
from marketedge.core.inputs import has_control
from marketedge.models.user import User

# Deliberately simple: one @, a dot in the domain, no spaces. Delivery is what proves an address.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


class WrongPassword(AppError):
    """The current password given to confirm an action is wrong (the session itself is fine)."""

    status_code = 400
    code = "wrong_password"


class LastAdmin(Conflict):
    code = "last_admin"


def normalise_email(email: str) -> str:
    """
    >>> normalise_email("  Asha@Example.COM ")
    'asha@example.com'
    """
    value = email.strip().lower()
    if len(value) > 254 or has_control(value) or not _EMAIL.match(value):
        raise InvalidInput("That is not an email address.", details={"field": "email"})
    return value


def new_one_time_password() -> str:
    """A password for an invitation or the demo: 20 URL-safe characters, never a common one."""
    return secrets.token_urlsafe(15)


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    return user


async def find_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email.strip().lower()))


async def list_users(session: AsyncSession) -> list[User]:
    return list(await session.scalars(select(User).order_by(User.id)))


async def create_user(
    session: AsyncSession,
    email: str,
    password: str | None,
    role: Role = Role.viewer,
    *,
    must_change_password: bool = False,
    check_rules: bool = True,
) -> User:
    email = normalise_email(email)
    if password is not None and check_rules:
        check_password(password, email=email)
    if await find_by_email(session, email) is not None:
        raise Conflict("A user with that email exists already.", details={"email": email})
    now = clock.utcnow()
    user = User(
        email=email,
        password_hash=hash_password(password) if password is not None else None,
        role=role.value,
        is_active=True,
        must_change_password=must_change_password,
        created_at=now,
        updated_at=now,
        password_changed_at=now if password is not None else None,
    )
    session.add(user)
    await session.flush()
    return user


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same work whether or not the email exists)."""
    user = await find_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = clock.utcnow()
    return user


async def set_password(session: AsyncSession, user: User, new_password: str) -> None:
    check_password(new_password, email=user.email)
    if user.password_hash and verify_password(user.password_hash, new_password):
        raise InvalidInput(
            "Choose a password different from the current one.", details={"field": "new_password"}
        )
    now = clock.utcnow()
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now
    user.updated_at = now
    user.must_change_password = False


async def change_password(session: AsyncSession, user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise WrongPassword("The current password is wrong.")
    await set_password(session, user, new)


async def _usable_admin_ids(session: AsyncSession) -> list[int]:
    """Admins who can sign in and act: enabled, with a password of their own (an invited admin who has not
    chosen one yet may never do so)."""
    # Row locks on PostgreSQL, so two admins demoting each other at once cannot leave none.
    query = (
        select(User.id)
        .where(
            User.role == Role.admin.value,
            User.is_active.is_(True),
            User.password_hash.is_not(None),
            User.must_change_password.is_(False),
        )
        .with_for_update()
    )
    return list(await session.scalars(query))


async def _keep_an_admin(session: AsyncSession, user: User) -> None:
    if user.role == Role.admin.value and await _usable_admin_ids(session) == [user.id]:
        raise LastAdmin("This is the last admin who can sign in; make another admin first.")


async def set_role(session: AsyncSession, user: User, role: Role) -> None:
    if role is not Role.admin:
        await _keep_an_admin(session, user)
    user.role = role.value
    user.updated_at = clock.utcnow()


async def set_active(session: AsyncSession, user: User, active: bool) -> None:
    if not active:
        await _keep_an_admin(session, user)
    user.is_active = active
    user.updated_at = clock.utcnow()


async def delete_user(session: AsyncSession, user: User) -> None:
    await _keep_an_admin(session, user)
    await session.execute(delete(User).where(User.id == user.id))
    session.expunge(user)
