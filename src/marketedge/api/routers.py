"""Every router of the app, in one list: the one place a new route's router is added (app.py includes them)."""

from __future__ import annotations

from fastapi import APIRouter

from marketedge.api import account, auth, calendar, health, legal, market, status, universe, users
from marketedge.api.admin_ingest import router as ingest_router
from marketedge.api.metrics import router as metrics_router
from marketedge.broker.router import router as broker_router
from marketedge.core.config import Settings


def routers(settings: Settings) -> list[APIRouter]:
    """In the order they are included (the OpenAPI document lists paths in this order)."""
    return [
        auth.router,
        *([auth.registration] if settings.allow_registration else []),
        users.router,
        users.audit_router,
        account.router,
        metrics_router,
        health.router,
        market.router,
        broker_router,
        ingest_router,
        status.router,
        universe.router,
        calendar.router,
        legal.router,
        legal.consent_router,
    ]
