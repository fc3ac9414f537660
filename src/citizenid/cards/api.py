"""HTTP routes of the card pipeline: thin — parse, call one service method, shape the answer.

Every write honours an ``Idempotency-Key`` header: a retried request with the same key and body gets the
same answer, the same key with another body a CRD-422 problem.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, Field

from citizenid.auth.api import CurrentPrincipal
from citizenid.cards.domain import ApplicationState, Reason, RevocationReason
from citizenid.cards.errors import CardInvalid
from citizenid.cards.service import CardService, Worklist

applications_router = APIRouter(prefix="/api/v1/applications", tags=["cards"])
cards_router = APIRouter(prefix="/api/v1/cards", tags=["cards"])
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="repeat a write safely: same key, same answer"),
]
_BASE64_MAX = 4_000_000


def cards(request: Request) -> CardService:
    service: CardService = request.app.state.container.cards
    return service


def _decode(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise CardInvalid(f"{what} is not base64") from None


# --- applications -----------------------------------------------------------------------------------


class ApplicationIn(BaseModel):
    personal_number: str = Field(pattern=r"^\d{12}$")
    reason: Reason
    site: str = Field(min_length=1, max_length=40, description="the office taking the application")
    declared: dict[str, str | None] = Field(default_factory=dict, description="details as the applicant states them")
    photo: str | None = Field(default=None, max_length=_BASE64_MAX, description="JPEG or PNG, base64")
    fingerprints: dict[int, str] = Field(default_factory=dict, description="finger position 1-10 → PNG, base64")


@applications_router.post("", status_code=201)
def take_application(body: ApplicationIn, request: Request, principal: CurrentPrincipal,
                     idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    prints = {position: _decode(data, f"fingerprint {position}") for position, data in body.fingerprints.items()}
    receipt = cards(request).take_application(
        principal, body.personal_number, reason=body.reason, site=body.site, declared=body.declared,
        photo=_decode(body.photo, "the photo") if body.photo else None, fingerprints=prints,
        idempotency_key=idempotency_key)
    return {**asdict(receipt.application), "biometric_candidates": receipt.candidates}


@applications_router.get("")
def worklist(
    request: Request,
    principal: CurrentPrincipal,
    province: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    site: Annotated[str | None, Query(max_length=40)] = None,
    state: ApplicationState | None = None,
    older_than_hours: Annotated[float | None, Query(ge=0, le=24 * 3650)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    before = dt.datetime.now(dt.UTC) - dt.timedelta(hours=older_than_hours) if older_than_hours is not None else None
    found = cards(request).worklist(principal, Worklist(province, site, state, before), page=page,
                                    page_size=page_size)
    return {"items": [asdict(a) for a in found], "page": page, "page_size": page_size}


@applications_router.get("/{application_id}")
def get_application(application_id: str, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    return asdict(cards(request).get_application(principal, application_id))


@applications_router.get("/{application_id}/history")
def application_history(application_id: str, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    return {"items": [asdict(t) for t in cards(request).application_history(principal, application_id)]}


@applications_router.post("/{application_id}/verify")
def verify(application_id: str, request: Request, principal: CurrentPrincipal,
           idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    return asdict(cards(request).verify(principal, application_id, idempotency_key=idempotency_key))


class DeclarationIn(BaseModel):
    declared: dict[str, str | None]


@applications_router.post("/{application_id}/declaration")
def amend(application_id: str, body: DeclarationIn, request: Request, principal: CurrentPrincipal,
          idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    """Correct the declared details of a received application; mismatches are worked out again."""
    return asdict(cards(request).amend(principal, application_id, body.declared, idempotency_key=idempotency_key))


@applications_router.post("/{application_id}/approve")
def approve(application_id: str, request: Request, principal: CurrentPrincipal,
            idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    return asdict(cards(request).approve(principal, application_id, idempotency_key=idempotency_key))


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


@applications_router.post("/{application_id}/reject")
def reject(application_id: str, body: ReasonIn, request: Request, principal: CurrentPrincipal,
           idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    return asdict(cards(request).reject(principal, application_id, body.reason, idempotency_key=idempotency_key))


class NoteIn(BaseModel):
    note: str = Field(default="", max_length=2000)


@applications_router.post("/{application_id}/cancel")
def cancel(application_id: str, body: NoteIn, request: Request, principal: CurrentPrincipal,
           idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    return asdict(cards(request).cancel(principal, application_id, body.note, idempotency_key=idempotency_key))


class IssueIn(BaseModel):
    live_photo: str | None = Field(default=None, max_length=_BASE64_MAX, description="JPEG or PNG, base64")
    officer_confirmed: bool = False


@applications_router.post("/{application_id}/issue")
def issue(application_id: str, body: IssueIn, request: Request, principal: CurrentPrincipal,
          idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    live = _decode(body.live_photo, "the live photo") if body.live_photo else None
    return asdict(cards(request).issue(principal, application_id, live_photo=live,
                                       officer_confirmed=body.officer_confirmed, idempotency_key=idempotency_key))


# --- cards, batches, campaign ------------------------------------------------------------------------


@cards_router.get("/revocation-list", response_class=Response,
                  responses={200: {"content": {"application/cms": {}}}})
def revocation_list(request: Request, principal: CurrentPrincipal) -> Response:
    """The signed list of revoked cards (CMS SignedData, DER) that offline readers load."""
    return Response(cards(request).published_revocation_list(principal), media_type="application/cms")


class DeathIn(BaseModel):
    personal_number: str = Field(pattern=r"^\d{12}$")


@cards_router.post("/holder-deaths")
def record_death(body: DeathIn, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    """The register records a death: revoke the holder's cards and cancel an open application."""
    return {"revoked": [asdict(c) for c in cards(request).record_death(principal, body.personal_number)]}


@cards_router.get("/renewals")
def renewals(
    request: Request,
    principal: CurrentPrincipal,
    months: Annotated[int, Query(ge=1, le=120)] = 3,
    province: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> dict[str, Any]:
    found = cards(request).renewals(principal, months=months, province=province, limit=limit)
    return {"items": [asdict(r) for r in found]}


@cards_router.get("/campaign")
def campaign(request: Request, principal: CurrentPrincipal,
             window_days: Annotated[int, Query(ge=1, le=365)] = 7) -> dict[str, Any]:
    return {"targets": [asdict(t) for t in cards(request).campaign(principal, window_days=window_days)]}


class TargetIn(BaseModel):
    milestone: ApplicationState
    target: int = Field(ge=1, le=10**9)
    due_date: dt.date
    province: str | None = Field(default=None, pattern=r"^\d{2}$")


@cards_router.post("/campaign/targets", status_code=201)
def set_target(body: TargetIn, request: Request, principal: CurrentPrincipal,
               idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    target_id = cards(request).set_target(principal, milestone=body.milestone, target=body.target,
                                          due=body.due_date, province=body.province,
                                          idempotency_key=idempotency_key)
    return {"target_id": target_id}


class BatchIn(BaseModel):
    limit: int = Field(default=1000, ge=1, le=100_000)
    province: str | None = Field(default=None, pattern=r"^\d{2}$")


@cards_router.post("/batches", status_code=201)
def create_batch(body: BatchIn, request: Request, principal: CurrentPrincipal,
                 idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    return asdict(cards(request).create_batch(principal, limit=body.limit, province=body.province,
                                              idempotency_key=idempotency_key))


@cards_router.get("/batches/{batch_id}")
def get_batch(batch_id: str, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    return asdict(cards(request).batch(principal, batch_id))


class RunIn(BaseModel):
    max_cards: int | None = Field(default=None, ge=1, le=100_000)


@cards_router.post("/batches/{batch_id}/run")
def run_batch(batch_id: str, body: RunIn, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    """Make pending cards now (safe to repeat: a rerun continues where the last one stopped)."""
    return asdict(cards(request).run_batch(principal, batch_id, max_cards=body.max_cards))


@cards_router.post("/batches/{batch_id}/dispatch")
def dispatch_batch(batch_id: str, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    return {"dispatched": cards(request).dispatch_batch(principal, batch_id)}


@cards_router.get("")
def cards_of(request: Request, principal: CurrentPrincipal,
             personal_number: Annotated[str, Query(pattern=r"^\d{12}$")]) -> dict[str, Any]:
    return {"items": [asdict(c) for c in cards(request).cards_of(principal, personal_number)]}


@cards_router.get("/{card_number}")
def get_card(card_number: str, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    return asdict(cards(request).get_card(principal, card_number))


@cards_router.get("/{card_number}/history")
def card_history(card_number: str, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    return {"items": [asdict(e) for e in cards(request).card_history(principal, card_number)]}


@cards_router.get("/{card_number}/verification")
def verify_card(card_number: str, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    """The card's chip read as an offline reader reads it, with this deployment's trust and revocation list."""
    return cards(request).verify_card(principal, card_number)


class RevokeIn(BaseModel):
    reason: RevocationReason
    note: str = Field(default="", max_length=2000)


@cards_router.post("/{card_number}/revoke")
def revoke(card_number: str, body: RevokeIn, request: Request, principal: CurrentPrincipal,
           idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    return asdict(cards(request).revoke(principal, card_number, body.reason, body.note,
                                        idempotency_key=idempotency_key))


@cards_router.post("/{card_number}/update")
def update_card(card_number: str, request: Request, principal: CurrentPrincipal,
                idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    """Write the register's current details to the card's chip (new DG13 and SOD, same card)."""
    return asdict(cards(request).update_card(principal, card_number, idempotency_key=idempotency_key))
