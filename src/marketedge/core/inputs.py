"""Bounds on what callers send, defined once: text without control characters, ids a BIGINT holds, dates in
2000–2100. Past them a value is a typo or an attack, and the database or datetime arithmetic would fail on it
with a 500; inside them every layer can take the value as it is."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, SecretStr

#: Row ids are BIGINT: a larger number names no row, and the database drivers refuse to send it.
MAX_ROW_ID = 2**63 - 1
#: The years a date or instant from outside may fall in. Near datetime's own limits (years 1 and 9999) a time
#: zone conversion overflows, and nothing Market Edge keeps is older or newer.
FIRST_YEAR, LAST_YEAR = 2000, 2100

# C0 and C1 control characters (NUL among them: PostgreSQL refuses it in text), DEL, and lone surrogates
# (which have no UTF-8 encoding, so no driver can send them).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def has_control(text: str) -> bool:
    """
    >>> has_control("Asha's key"), has_control("a\\x00b"), has_control("tab\\there")
    (False, True, True)
    """
    return _CONTROL.search(text) is not None


def _plain(value: str) -> str:
    if has_control(value):
        raise ValueError("must not contain control characters")
    return value


def _encodable(value: SecretStr) -> SecretStr:
    if _SURROGATE.search(value.get_secret_value()):
        raise ValueError("must be valid Unicode text")
    return value


def within_years(when: date) -> bool:
    """Whether a date, or an instant read on its own clock, falls in FIRST_YEAR..LAST_YEAR."""
    return FIRST_YEAR <= when.year <= LAST_YEAR


def _instant(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("give the instant with a time zone, e.g. 2026-11-25T09:15:00+05:30")
    if not within_years(value):
        raise ValueError(f"must fall in the years {FIRST_YEAR}–{LAST_YEAR}")
    return value


#: Free text that is stored or looked up in the database (emails, names, descriptions, filters): control
#: characters are a 422, never a database error.
PlainText = Annotated[str, AfterValidator(_plain)]
#: A password or other secret: any text that can be encoded (it is hashed, never stored or shown as typed).
SecretText = Annotated[SecretStr, AfterValidator(_encodable)]
#: An instant from outside: with a time zone, within FIRST_YEAR..LAST_YEAR.
Instant = Annotated[datetime, AfterValidator(_instant)]
