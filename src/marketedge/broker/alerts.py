"""Token alerts: a warning log line always, and a JSON POST to ALERT_WEBHOOK_URL when set (Slack's incoming
webhooks read `text`; relays for Telegram or email read the rest). Alerts never carry a token."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog

from marketedge.core import clock

log = structlog.get_logger("marketedge.broker.alerts")


@dataclass
class Alert:
    event: str  # renewal_needed, reminder, token_stored, session_opened_without_token, …
    text: str
    facts: dict[str, Any] = field(default_factory=dict)


class Alerter:
    """Sends alerts; a failing webhook is logged, never raised (an alert must not break the renewal)."""

    def __init__(
        self,
        webhook_url: str | None,
        *,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url = webhook_url
        self._timeout = timeout
        self._transport = transport
        self.sent: list[Alert] = []  # the latest alerts, newest last (the status shows none; tests read it)

    @property
    def has_webhook(self) -> bool:
        return bool(self._url)

    async def send(self, event: str, text: str, *, warning: bool = True, **facts: Any) -> None:
        alert = Alert(event, text, facts)
        self.sent = [*self.sent[-49:], alert]
        (log.warning if warning else log.info)(f"broker: {text}", alert=event, **facts)
        if not self._url:
            return
        body = {"text": f"Market Edge: {text}", "event": event, "at": clock.now().isoformat(), **facts}
        try:
            async with httpx.AsyncClient(timeout=self._timeout, transport=self._transport) as http:
                answer = await http.post(self._url, json=body)
            if answer.status_code >= 400:
                log.warning("alert webhook refused the alert", alert=event, status=answer.status_code)
        except httpx.HTTPError as exc:
            # The URL itself may be a secret (Slack's are): only the error class is logged.
            log.warning("alert webhook unreachable", alert=event, error=type(exc).__name__)
