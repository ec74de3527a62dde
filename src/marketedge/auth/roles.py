"""Roles, API-key scopes and access levels: the words every authorization decision is written in."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    viewer = "viewer"  # the tracker, the chain, status
    admin = "admin"  # also: broker connection, users, universe, ingest controls, audit

    def includes(self, other: Role) -> bool:
        return _RANK[self] >= _RANK[other]


_RANK = {Role.viewer: 1, Role.admin: 2}


class Scope(StrEnum):
    """What an API key may do; a key never does more than its owner's role allows."""

    read = "read"  # viewer routes
    ingest = "ingest"  # the ingest trigger (an external scheduler), with an admin's key
    admin = "admin"  # every route the owner's role allows


class Level(StrEnum):
    """Who may call a route: the column of the authorization table."""

    public = "public"  # anyone, no sign-in
    webhook = "webhook"  # anyone (a third party calls it); rate-limited, checks its own signature
    viewer = "viewer"
    admin = "admin"


@dataclass(frozen=True)
class Access:
    """A route's declared access. `scope` is what an API key needs; None means a browser session only."""

    level: Level
    scope: Scope | None = None
    # Usable by someone who must change their one-time password first (me, password change, logout).
    while_password_change_pending: bool = False

    @property
    def role(self) -> Role | None:
        if self.level is Level.admin:
            return Role.admin
        if self.level is Level.viewer:
            return Role.viewer
        return None
