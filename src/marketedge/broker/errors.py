"""The broker's errors, in the app's one error shape (marketedge.core.errors)."""

from __future__ import annotations

from marketedge.core.errors import AppError, Conflict, Forbidden


class BrokerNotConfigured(Conflict):
    """UPSTOX_CLIENT_ID / UPSTOX_CLIENT_SECRET are missing, so Upstox cannot be asked for a token."""

    code = "broker_not_configured"


class TokenRefused(AppError):
    """Upstox refused the offered token (dead, unknown, or of a kind that cannot read market data)."""

    status_code = 400
    code = "broker_token_refused"


class BadNotification(AppError):
    """A notifier post that is not Upstox's token message (not JSON, missing fields, other message type)."""

    status_code = 400
    code = "invalid_notification"


class NotificationRefused(Forbidden):
    """A well-formed notifier post that is not for us (another client_id)."""

    code = "notification_refused"


class NoTokenRequest(Conflict):
    """A token arrived at the notifier while no v3 token request of ours was open."""

    code = "no_token_request"


class UpstoxUserMismatch(Conflict):
    """The delivered token belongs to another Upstox user than the connected one."""

    code = "broker_user_mismatch"
