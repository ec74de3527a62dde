"""`install_security(app, settings)`: the security middleware (proxy headers, hosts, body limit, headers, CORS),
the rate limiter (app.py closes it at shutdown) and the gated API docs."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route

from marketedge.auth.ratelimit import RateLimiter
from marketedge.core.config import Settings, config_warnings

log = structlog.get_logger(__name__)

__all__ = ["install_security"]


def install_security(app: FastAPI, settings: Settings) -> RateLimiter:
    """Middleware (proxy headers, hosts, body limit, headers, CORS) and the gated API docs."""
    from marketedge.auth.deps import VIEWER, SecurityState
    from marketedge.auth.security_headers import CORS_EXPOSED_HEADERS, SecurityMiddleware

    # Under CACHE_PREFIX like every other key, so deployments sharing one Redis keep their own counters.
    limiter = RateLimiter(settings.redis_url, prefix=f"{settings.cache_prefix}rl")
    app.state.security = SecurityState(settings, limiter)

    # add_middleware wraps what is there: CORS ends up inside, so its answers get the security headers too.
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
            allow_headers=["Content-Type", "Authorization", "X-CSRF-Token", "X-Request-ID"],
            expose_headers=list(CORS_EXPOSED_HEADERS),
            max_age=600,
        )
    app.add_middleware(
        SecurityMiddleware,
        trusted_hosts=settings.trusted_hosts,
        trusted_proxies=settings.trusted_proxies,
        max_body_bytes=settings.max_body_bytes,
    )

    _gate_api_docs(app, VIEWER)

    for warning in config_warnings(settings):
        log.warning(warning)
    return limiter


def _gate_api_docs(app: FastAPI, viewer: Any) -> None:
    """The OpenAPI document for signed-in people only; Swagger UI and ReDoc are removed, because they load
    scripts from a CDN and inline, which the Content-Security-Policy forbids."""
    docs = {app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url} - {None}
    app.router.routes[:] = [r for r in app.router.routes if not (isinstance(r, Route) and r.path in docs)]
    if app.openapi_url:

        async def openapi(request: Request) -> JSONResponse:
            return JSONResponse(request.app.openapi())

        app.add_api_route(
            app.openapi_url, openapi, methods=["GET"], include_in_schema=False, dependencies=[viewer]
        )
