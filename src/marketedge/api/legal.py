"""The legal texts, open to everyone (the sign-in page links them), and a person's consent to them:
see it, give it (the versions they read), withdraw it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from marketedge.api.auth import NO_STORE, clear_session_cookies
from marketedge.auth import consent, legal
from marketedge.auth.deps import PUBLIC, Principal, client_ip, credentials_revoked, require
from marketedge.auth.errors_doc import COMMON, errors
from marketedge.auth.roles import Role
from marketedge.auth.schemas import ConsentRecord
from marketedge.core.config import Settings
from marketedge.core.db import SessionDep
from marketedge.core.errors import NotFound
from marketedge.core.inputs import PlainText

router = APIRouter(prefix="/api/v1/legal", tags=["legal"], dependencies=[PUBLIC])
consent_router = APIRouter(prefix="/api/v1/account/consent", tags=["account"], responses=COMMON)

# Usable before consent is given (and while a one-time password waits to be changed): the way in and out.
Person = Annotated[Principal, Depends(require(Role.viewer, while_password_change_pending=True))]
BrowserPerson = Annotated[
    Principal, Depends(require(Role.viewer, scope=None, while_password_change_pending=True))
]
_CACHE = {"Cache-Control": "public, max-age=300"}


class DocumentSummary(BaseModel):
    name: str = Field(description="privacy, terms, disclaimer or accessibility")
    title: str
    version: str


class DocumentRead(DocumentSummary):
    markdown: str = Field(description="The text, in Markdown")


class DocumentsRead(BaseModel):
    documents: list[DocumentSummary]
    consent_to: list[str] = Field(description="The documents a person accepts before using the service")


class ConsentGive(BaseModel):
    model_config = ConfigDict(extra="forbid")

    privacy: PlainText = Field(description="The version of the privacy notice you read and accept")
    terms: PlainText = Field(description="The version of the terms of use you read and accept")


class ConsentRead(BaseModel):
    current: bool = Field(description="True when the current versions are accepted")
    required: dict[str, str] = Field(description="document → the version to accept now")
    accepted: dict[str, str] = Field(description="document → the version accepted and standing")
    history: list[ConsentRecord]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get("", summary="The legal documents and their versions")
async def documents(response: Response) -> DocumentsRead:
    response.headers.update(_CACHE)
    return DocumentsRead(
        documents=[
            DocumentSummary(name=n, title=t, version=legal.version(n)) for n, t in legal.DOCUMENTS.items()
        ],
        consent_to=list(legal.CONSENT_DOCUMENTS),
    )


@router.get("/{name}", summary="One legal document, in Markdown", responses=errors(404))
async def document(name: str, request: Request, response: Response) -> DocumentRead:
    if name not in legal.DOCUMENTS:
        raise NotFound(f"No legal document {name!r}", details={"choices": list(legal.DOCUMENTS)})
    found = legal.document(name, _settings(request))
    response.headers.update(_CACHE)
    return DocumentRead(name=found.name, title=found.title, version=found.version, markdown=found.markdown)


def _read(found: consent.ConsentStatus) -> ConsentRead:
    return ConsentRead(
        current=found.current,
        required=found.required,
        accepted={d: v for d, (v, _) in found.accepted.items()},
        history=[consent.record(r) for r in found.history],
    )


@consent_router.get("", summary="What you accepted, and whether the current versions still need accepting")
async def consent_status(principal: Person, db: SessionDep, response: Response) -> ConsentRead:
    response.headers.update(NO_STORE)
    return _read(await consent.status(db, principal.user.id))


@consent_router.post(
    "",
    summary="Accept the current privacy notice and terms (the versions you read)",
    responses=errors(409),
)
async def consent_give(
    body: ConsentGive, principal: BrowserPerson, request: Request, db: SessionDep, response: Response
) -> ConsentRead:
    response.headers.update(NO_STORE)
    found = await consent.give(
        db, principal.user.id, principal.user.email, body.model_dump(), client_ip(request)
    )
    return _read(found)


@consent_router.delete(
    "",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Withdraw your consent: signs you out everywhere and revokes your API keys",
)
async def consent_withdraw(principal: BrowserPerson, request: Request, db: SessionDep) -> Response:
    await consent.withdraw(db, principal.user.id, principal.user.email, client_ip(request))
    await db.commit()
    credentials_revoked(request)
    answer = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookies(request, answer)
    return answer
