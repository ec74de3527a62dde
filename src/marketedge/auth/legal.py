"""The legal texts (privacy notice, terms of use, disclaimer, accessibility statement): one Markdown file each
in auth/notices/, with a `Version:` line. {operator} and {contact} are filled from LEGAL_OPERATOR and
LEGAL_CONTACT. People consent to the privacy notice and the terms, version by version (auth/consent.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from marketedge.core.config import Settings

DOCUMENTS = {
    "privacy": "Privacy notice",
    "terms": "Terms of use",
    "disclaimer": "Disclaimer",
    "accessibility": "Accessibility statement",
}
CONSENT_DOCUMENTS = ("privacy", "terms")  # what a person accepts before the service processes their data
_VERSION = re.compile(r"^Version: (\S+)$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Document:
    name: str
    title: str
    version: str
    markdown: str


@lru_cache(maxsize=8)
def _raw(name: str) -> str:
    return (resources.files("marketedge.auth") / "notices" / f"{name}.md").read_text(encoding="utf-8")


def version(name: str) -> str:
    found = _VERSION.search(_raw(name))
    if found is None:
        raise ValueError(f"auth/notices/{name}.md has no 'Version:' line")
    return found.group(1)


def document(name: str, settings: Settings) -> Document:
    operator = settings.legal_operator or "the operator of this Market Edge service"
    contact = settings.legal_contact or "the operator (the contact is not configured yet: LEGAL_CONTACT)"
    text = _raw(name).replace("{contact}", contact)
    # A sentence that starts with the operator starts with a capital, whatever LEGAL_OPERATOR says.
    text = re.sub(
        r"(^|[.!?:]\s+)\{operator\}",
        lambda m: m.group(1) + operator[:1].upper() + operator[1:],
        text,
        flags=re.M,
    )
    text = text.replace("{operator}", operator)
    return Document(name, DOCUMENTS[name], version(name), text)


def consent_versions() -> dict[str, str]:
    """The versions a person must have accepted now: {"privacy": "2026-11-25", "terms": "2026-11-25"}."""
    return {name: version(name) for name in CONSENT_DOCUMENTS}
