"""The broker page's status: the stored token described, when the app will be without one, the renewal
schedule and the latest v3 request, the setup, and recent token events."""

from __future__ import annotations

from datetime import datetime

from marketedge.broker.renewal import TokenRenewal
from marketedge.broker.schemas import BrokerStatus, RenewalRead, SetupRead, TokenRead
from marketedge.broker.service import TokenService
from marketedge.chain.calendar import TradingCalendar
from marketedge.core import clock
from marketedge.core.clock import IST


def _without_token_from(
    token: TokenRead | None, usable: bool, calendar: TradingCalendar, now: datetime
) -> datetime | None:
    """Now when there is no usable token; its expiry when that comes before the end of the current or next
    session; otherwise None (the token covers it)."""
    if token is None or not usable:
        return now.astimezone(IST)
    session = calendar.session(now.date())
    if session is None or now >= session.close:
        session = calendar.next_session(now.date())
    if session is not None and token.valid_until < session.close:
        return token.valid_until
    return None


async def broker_status(service: TokenService, renewal: TokenRenewal, redirect_uri: str) -> BrokerStatus:
    now = clock.now()
    token = await service.token()
    usable = token is not None and await service.usable()
    request = await service.latest_request()
    return BrokerStatus(
        simulated=service.simulated,
        connected=token is not None,
        usable=usable,
        token=token,
        without_token_from=_without_token_from(token, usable, renewal.calendar, now),
        renewal=RenewalRead(
            time=renewal.renewal_time.strftime("%H:%M"),
            next_at=renewal.next_run(now),
            reminder_minutes=renewal.reminder_minutes,
            reminding_until=renewal.reminding_until,
            waiting_for_approval=request is not None and request.state == "pending",
            request=request,
        ),
        setup=SetupRead(
            client_configured=service.app.configured,
            redirect_uri=service.app.redirect_uri or redirect_uri,
            notifier_url=service.app.notifier_url,
            alert_webhook=renewal.alerter.has_webhook,
        ),
        events=await service.events(),
    )
