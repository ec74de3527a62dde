"""Parameters shared by the routes: row ids, and the market-data query parameters, parsed once and validated
with messages that name them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from typing import Annotated

from fastapi import Path, Query, Request

from marketedge.core.clock import IST
from marketedge.core.errors import InvalidInput
from marketedge.core.inputs import FIRST_YEAR, LAST_YEAR, MAX_ROW_ID, within_years

#: A row id in the path (a user, an API key): a number no row can have is a 422, not a database error.
IdPath = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
#: A row id in the query, optional (a page's `before_id`).
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)]


def reject_unknown(*allowed: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency that refuses query parameters the route does not take (a typo must not pass silently)."""
    known = set(allowed)

    async def check(request: Request) -> None:  # async: a plain def would run in a worker thread
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise InvalidInput(
                f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
                details={"unknown": unknown, "allowed": sorted(known)},
            )

    return check


def parse_day(value: str | None, name: str = "date") -> date | None:
    if value is None or value == "":
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{name}: expected a date as YYYY-MM-DD, got {value!r}", details={"parameter": name}
        ) from None
    _check_years(parsed, name)
    return parsed


def parse_time(value: str | None, day: date, name: str) -> datetime | None:
    """An ISO 8601 instant (with an offset) or an IST wall-clock time HH:MM on `day`."""
    if value is None or value == "":
        return None
    text = value.strip()
    try:
        if len(text) <= 8 and ":" in text and "T" not in text:
            return datetime.combine(day, time.fromisoformat(text), tzinfo=IST)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"{name}: expected HH:MM (IST) or an ISO 8601 instant such as 2026-11-25T09:15:00+05:30, got {value!r}",
            details={"parameter": name},
        ) from None
    if parsed.tzinfo is None:
        raise InvalidInput(
            f"{name}: an ISO 8601 instant needs an offset (+05:30 or Z), got {value!r}",
            details={"parameter": name},
        )
    _check_years(parsed, name)
    return parsed.astimezone(IST)


def _check_years(when: date, name: str) -> None:
    if not within_years(when):
        raise InvalidInput(
            f"{name}: expected a date in the years {FIRST_YEAR}–{LAST_YEAR}", details={"parameter": name}
        )


def check_band(delta_min: float, delta_max: float) -> None:
    if delta_min >= delta_max:
        raise InvalidInput(
            f"delta_min ({delta_min}) must be below delta_max ({delta_max})",
            details={"parameter": "delta_min"},
        )
