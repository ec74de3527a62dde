"""What the broker routes accept and answer: the contract the broker page is built on (docs/broker.md).
No schema here ever holds a token, except the paste request, which holds it as a SecretStr."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from marketedge.broker.lifetimes import TokenKind, TokenSource, TokenStatus

RequestState = Literal["pending", "fulfilled", "lapsed", "cancelled"]
CallbackResult = Literal[
    "connected",
    "denied",
    "invalid_state",
    "invalid_token",
    "exchange_failed",
    "unavailable",
    "not_configured",
]


class UpstoxUser(BaseModel):
    user_id: str | None = None
    user_name: str | None = None


class TokenRead(BaseModel):
    """The stored token, described (never the token itself). Instants are ISO 8601 with the IST offset."""

    kind: TokenKind = Field(description="access (OAuth or pasted), v3 (the phone request), analytics")
    source: TokenSource
    status: TokenStatus = Field(description="valid, expired (past valid_until) or rejected (Upstox said 401)")
    upstox_user: UpstoxUser | None
    issued_at: datetime
    valid_until: datetime = Field(description="03:30 IST after issue; a year for analytics (an upper bound)")
    stored_at: datetime
    stored_by: str
    last_validated_at: datetime | None
    last_validation: str | None = Field(description="ok, rejected, refused or unreachable")
    readable: bool = Field(description="false when TOKEN_ENCRYPTION_KEY no longer holds the key it needs")


class TokenRequestRead(BaseModel):
    requested_at: datetime
    authorization_expiry: datetime = Field(description="Upstox lets the request lapse then (03:30 IST)")
    trigger: str = Field(description="manual, renewal, rejected or cli")
    requested_by: str
    state: RequestState


class TokenEventRead(BaseModel):
    at: datetime
    action: str = Field(examples=["broker.token.stored"])
    actor: str
    details: dict[str, Any] | None


class RenewalRead(BaseModel):
    time: str = Field(description="RENEWAL_TIME, HH:MM IST", examples=["08:30"])
    next_at: datetime | None = Field(description="the next scheduled daily check (a trading day)")
    reminder_minutes: int
    reminding_until: datetime | None = Field(description="reminders run until then unless a token lands")
    waiting_for_approval: bool = Field(description="a v3 request is pending on the account holder's phone")
    request: TokenRequestRead | None = Field(description="the latest v3 token request")


class SetupRead(BaseModel):
    client_configured: bool = Field(
        description="UPSTOX_CLIENT_ID and _SECRET are set: Connect and Request work"
    )
    redirect_uri: str | None = Field(description="register this on the Upstox app as the redirect URL")
    notifier_url: str | None = Field(description="register this on the Upstox app as the notifier webhook")
    alert_webhook: bool = Field(description="ALERT_WEBHOOK_URL is set")


class BrokerStatus(BaseModel):
    broker: Literal["upstox"] = "upstox"
    simulated: bool = Field(description="true when the built-in Upstox twin stands in for Upstox (the demo)")
    connected: bool = Field(description="a token is stored")
    usable: bool = Field(description="a token is stored, valid and readable: Upstox calls can be made")
    token: TokenRead | None
    without_token_from: datetime | None = Field(
        description="when the app is (or will be) without a usable token before the end of the next "
        "session, unless it is renewed; null when the token covers it"
    )
    renewal: RenewalRead
    setup: SetupRead
    events: list[TokenEventRead] = Field(description="recent token events, newest first")


class TokenPaste(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # SecretStr: a validation error never echoes it, and repr() hides it.
    token: SecretStr = Field(min_length=16, max_length=4096)
    kind: Literal["access", "analytics"] = Field(
        description="access: the daily token (valid until 03:30 IST the next day); analytics: the read-only "
        "token generated on Upstox's developer page, valid a year"
    )
    valid_until: date | None = Field(
        default=None,
        description="For an analytics token that does not carry its own expiry: the date Upstox shows it valid "
        "until (read from the token itself when it carries one)",
    )


class TokenRequestAnswer(BaseModel):
    requested_at: datetime
    authorization_expiry: datetime
    notifier_url: str | None = Field(description="where Upstox says it will deliver the approved token")


class DisconnectAnswer(BaseModel):
    disconnected: bool = Field(description="false when no token was stored")
    logged_out: bool = Field(description="Upstox confirmed the logout (false when it was already dead)")


class NotifierAnswer(BaseModel):
    accepted: bool = True
