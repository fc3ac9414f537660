"""Integrated documents over HTTP.

- Issuing agencies push documents through the exchange platform (DPoP-bound partner tokens, the
  ``documents_push`` grant naming the types they issue).
- Services ask yes/no about a person's documents (``documents_verify``); consented fetch and card-based
  authentication carry documents as ``document:<type>`` attributes (decision 0071).
- A citizen sees their own documents in the portal.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from citizenid.documents.catalogue import CATALOGUE
from citizenid.documents.domain import Action
from citizenid.documents.service import DocumentService, Push, as_dict
from citizenid.exchange.api import Partner
from citizenid.exchange.api_portal import Citizen
from citizenid.exchange.domain import Operation
from citizenid.exchange.routing import ExchangeRoute, _service

partner_router = APIRouter(prefix="/api/v1/exchange/documents", tags=["integrated documents"],
                           route_class=ExchangeRoute)
portal_router = APIRouter(prefix="/api/v1/portal", tags=["citizen portal"], route_class=ExchangeRoute)
Identifier = Annotated[str, Field(pattern=r"^(\d{12}|A[A-Z2-7]{25})$", description="personal number or alias")]


def documents(request: Request) -> DocumentService:
    service: DocumentService = request.app.state.container.documents
    return service


class PushIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Action
    doc_type: str = Field(max_length=32)
    doc_number: str = Field(min_length=1, max_length=40)
    personal_number: str = Field(pattern=r"^\d{12}$")
    attributes: dict[str, str | list[str]] = Field(default_factory=dict, max_length=20)


class VerifyDocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identifier: Identifier
    doc_type: str = Field(max_length=32)
    licence_class: str | None = Field(default=None, max_length=4)
    on: dt.date | None = None


@partner_router.post("", status_code=201)
async def push(body: PushIn, request: Request, partner: Partner) -> dict[str, Any]:
    """An agency adds, renews, suspends, reinstates or revokes one of the documents it issues."""
    principal, proof = partner
    number = await run_in_threadpool(_service(request).admit_operation, principal, proof, Operation.DOCUMENTS_PUSH,
                                     [body.doc_type], body.personal_number)
    change = Push(body.action, body.doc_type, body.doc_number, number, dict(body.attributes))
    document = await run_in_threadpool(documents(request).push, principal.actor, principal.member_id,
                                       principal.grants.get(Operation.DOCUMENTS_PUSH, frozenset()), change)
    return as_dict(document)


@partner_router.post("/verify")
async def verify(body: VerifyDocumentIn, request: Request, partner: Partner) -> dict[str, Any]:
    """Yes / no: does the person hold a valid document of this type (and licence class) on the day?"""
    principal, proof = partner
    number = await run_in_threadpool(_service(request).admit_operation, principal, proof,
                                     Operation.DOCUMENTS_VERIFY, [body.doc_type], body.identifier)
    holds = await run_in_threadpool(documents(request).verify, principal.actor, number, body.doc_type,
                                    purpose=principal.purpose or principal.service_code,
                                    licence_class=body.licence_class, on=body.on)
    return {"identifier": body.identifier, "doc_type": body.doc_type, "licence_class": body.licence_class,
            "holds": holds}


@partner_router.get("/types")
def types(request: Request, partner: Partner) -> list[dict[str, Any]]:
    """The document type catalogue: who issues each type and what a service may receive of it."""
    return [{"code": k.code, "name": k.name_vi, "name_en": k.name_en, "agency": k.agency,
             "attributes": list(k.attributes), "shareable": list(k.shareable), "expires": k.expires}
            for k in CATALOGUE.values()]


@portal_router.get("/documents")
def my_documents(request: Request, citizen: Citizen) -> list[dict[str, Any]]:
    """My integrated documents, as the issuing agencies have sent them."""
    return [as_dict(d) for d in documents(request).of_holder(f"citizen:{citizen}", citizen,
                                                             purpose="the citizen looks at their documents")]
