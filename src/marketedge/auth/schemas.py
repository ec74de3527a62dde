"""What the account routes accept and answer (schemas by role: …Create, …Update, …Read)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from marketedge.auth.roles import Role, Scope
from marketedge.core.inputs import PlainText, SecretText

Email = Field(min_length=3, max_length=254, examples=["asha@example.com"])
Password = Field(min_length=1, max_length=1024)


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: PlainText = Email
    # SecretStr: a validation error never echoes the password back, and repr() hides it.
    password: SecretText = Password


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    role: Role
    is_active: bool
    must_change_password: bool
    created_at: datetime
    last_login_at: datetime | None


class MeConsent(BaseModel):
    required: bool = Field(
        description="CONSENT_REQUIRED is on: nothing but the account's own routes works before consent"
    )
    current: bool = Field(description="The current privacy notice and terms are accepted")
    needed: bool = Field(description="Show the consent screen: required, and not (or no longer) current")


class MeRead(BaseModel):
    user: UserRead
    consent: MeConsent | None = Field(
        default=None, description="For a browser session: whether the consent screen must be shown first."
    )
    via: Literal["session", "api_key"]
    csrf_token: str | None = Field(
        default=None, description="For a browser session: send it as X-CSRF-Token on every POST/PATCH/DELETE."
    )
    session_expires_at: datetime | None = None
    scopes: list[Scope] | None = Field(default=None, description="For an API key: what it may do.")


class LoginAnswer(MeRead):
    pass


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: SecretText = Password
    new_password: SecretText = Password


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: PlainText = Email
    password: SecretText = Password


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: PlainText = Email
    role: Role = Role.viewer
    password: SecretText = Password


class UserInvite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: PlainText = Email
    role: Role = Role.viewer


class InviteAnswer(BaseModel):
    user: UserRead
    one_time_password: str = Field(
        description="Shown once: give it to the person; they must choose their own at first sign-in."
    )


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    is_active: bool | None = None


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PlainText = Field(min_length=1, max_length=64)
    scopes: list[Scope] = Field(default_factory=lambda: [Scope.read], max_length=3)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    scopes: list[Scope]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The key itself: shown this once, never again. Send it as `Bearer <key>`.")


class AccountDelete(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: SecretText = Password


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    ip: str | None
    user_agent: str | None


class AuditEventRead(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    ip: str | None
    details: dict[str, Any] | None


class AuditPage(BaseModel):
    events: list[AuditEventRead]
    next_before_id: int | None = Field(
        description="Pass as before_id for the next (older) page; null at the end."
    )


class ConsentRecord(BaseModel):
    document: str = Field(description="privacy or terms")
    version: str
    given_at: datetime
    withdrawn_at: datetime | None = Field(description="Withdrawn, or superseded by a later acceptance")
    ip: str | None = Field(default=None, description="The network address the consent was given from")


class AccountExport(BaseModel):
    exported_at: datetime
    user: UserRead
    sessions: list[SessionRead]
    api_keys: list[ApiKeyRead]
    consents: list[ConsentRecord] = Field(description="Every consent you gave or withdrew, oldest first")
    audit_events: list[AuditEventRead]
    note: str
