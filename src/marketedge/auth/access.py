"""The authorization table: read every route's declared access from the app itself, and the open-path policy
the route-table test holds it to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount, Route

from marketedge.auth.roles import Access, Level

# The only routes anyone may call without signing in (the list); anything else open fails the suite.
OPEN_ROUTES: dict[tuple[str, str], Level] = {
    ("GET", "/health"): Level.public,
    ("GET", "/health/live"): Level.public,
    ("GET", "/health/ready"): Level.public,
    ("POST", "/api/v1/auth/login"): Level.public,
    ("POST", "/api/v1/auth/register"): Level.public,  # exists only when ALLOW_REGISTRATION is on
    ("GET", "/api/v1/broker/upstox/callback"): Level.public,  # Upstox's OAuth redirect lands here
    ("POST", "/api/v1/broker/upstox/notifier"): Level.webhook,  # Upstox's token notifier
    ("GET", "/api/v1/legal"): Level.public,  # the privacy notice, terms, disclaimer: read before signing in
    ("GET", "/api/v1/legal/{name}"): Level.public,
}
# The UI's static files (mounts), open too.
OPEN_MOUNTS = ("/assets",)
# Paths under these prefixes are admin-only whatever else they declare.
ADMIN_PREFIXES = ("/api/v1/admin/",)

_STRICTNESS = {Level.public: 0, Level.webhook: 1, Level.viewer: 2, Level.admin: 3}


@dataclass(frozen=True)
class RouteAccess:
    method: str
    path: str
    access: Access | None  # None: no declaration (a failure)
    declarations: tuple[Access, ...]

    @property
    def level(self) -> Level | None:
        return self.access.level if self.access else None


def declarations(dependant: Dependant) -> list[Access]:
    """Every access declaration in a route's dependency tree (router, route and parameter dependencies)."""
    found: list[Access] = []
    stack = [dependant]
    while stack:
        current = stack.pop()
        access = getattr(current.call, "__access__", None)
        if isinstance(access, Access):
            found.append(access)
        stack.extend(current.dependencies)
    return found


def effective(found: list[Access]) -> Access | None:
    """The strictest declaration wins (a viewer router with an admin route is admin)."""
    return max(found, key=lambda a: _STRICTNESS[a.level]) if found else None


def route_table(app: FastAPI) -> list[RouteAccess]:
    """One row per method and path the app answers, with its effective declaration (routers included)."""
    rows: list[RouteAccess] = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        path: str = context.path or str(getattr(route, "path", repr(route)))
        dependant = getattr(context._effective_route, "dependant", None)
        if isinstance(route, APIRoute) and isinstance(dependant, Dependant):
            found = declarations(dependant)
            for method in sorted(context.methods or ()):
                rows.append(RouteAccess(method, path, effective(found), tuple(found)))
        elif isinstance(route, Mount):
            access = Access(Level.public) if path in OPEN_MOUNTS else None
            rows.append(RouteAccess("MOUNT", path, access, ()))
        elif isinstance(route, Route):
            for method in sorted(context.methods or {"ANY"}):
                rows.append(RouteAccess(method, path, None, ()))
        else:
            rows.append(RouteAccess("?", path, None, ()))
    return rows


def problems(app: FastAPI) -> list[str]:
    """Every way the app's routes break the policy; empty when all is well."""
    out: list[str] = []
    for row in route_table(app):
        where = f"{row.method} {row.path}"
        if row.method == "HEAD":
            continue  # answered like its GET
        if row.access is None:
            out.append(
                f"{where}: no access declared (add dependencies=[VIEWER] or another, see docs/security.md)"
            )
            continue
        if row.method == "MOUNT":
            continue
        expected_open = OPEN_ROUTES.get((row.method, row.path))
        if row.level in (Level.public, Level.webhook) and expected_open != row.level:
            out.append(f"{where}: declared {row.level.value}, but it is not on the open list")
        if expected_open is not None and row.level != expected_open:
            out.append(f"{where}: expected {expected_open.value}, declared {row.level}")
        if row.path.startswith(ADMIN_PREFIXES) and row.level is not Level.admin:
            out.append(f"{where}: admin paths need admin access, declared {row.level}")
    return out


def as_markdown(app: FastAPI) -> str:
    lines = ["| method | path | who | API key scope |", "|---|---|---|---|"]
    for row in route_table(app):
        if row.method == "HEAD":
            continue
        access = row.access
        scope: Any = "-"
        if access is not None and access.level in (Level.viewer, Level.admin):
            scope = access.scope.value if access.scope else "session only"
        lines.append(
            f"| {row.method} | `{row.path}` | {row.level.value if row.level else 'UNDECLARED'} | {scope} |"
        )
    return "\n".join(lines)
