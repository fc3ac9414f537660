"""HTTP routes of biometrics: quality at the counter, 1:1 of two photos, and the supervisor's adjudication
queue (candidates with both images; a ruling of duplicate blocks the application).

Images travel as base64 in JSON.  Listings carry scores and numbers, never images or templates.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from citizenid.auth.api import CurrentPrincipal
from citizenid.auth.domain import Permission
from citizenid.biometrics.errors import InvalidCapture
from citizenid.biometrics.service import BiometricsService, CaseSummary

router = APIRouter(prefix="/api/v1/biometrics", tags=["biometrics"])

MAX_IMAGE_B64 = 14_000_000  # about 10 MB of image


def biometrics(request: Request) -> BiometricsService:
    service: BiometricsService = request.app.state.container.biometrics
    return service


def _image(data: str, what: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidCapture(f"the {what} is not base64") from None


class CaptureBody(BaseModel):
    photo: str = Field(min_length=1, max_length=MAX_IMAGE_B64, description="the face photo, base64 JPEG or PNG")
    fingerprints: dict[int, str] = Field(default_factory=dict, max_length=10,
                                         description="finger position (1-10, ISO/IEC 19794-4) → base64 image")


class MatchBody(BaseModel):
    first: str = Field(min_length=1, max_length=MAX_IMAGE_B64, description="e.g. the application photo")
    second: str = Field(min_length=1, max_length=MAX_IMAGE_B64, description="e.g. the live capture")


class DecisionBody(BaseModel):
    candidate_personal_number: str = Field(pattern=r"^\d{12}$")
    duplicate: bool = Field(description="true: the same person (blocks the application); false: a different one")


def summary_out(line: CaseSummary) -> dict[str, Any]:
    return {
        "application_id": line.application_id,
        "personal_number": line.personal_number,
        "candidate_personal_number": line.candidate_personal_number,
        "candidate_application_id": line.candidate_application_id,
        "face_score": round(line.face_score, 4),
        "finger_score": None if line.finger_score is None else round(line.finger_score, 4),
        "status": line.status,
        "created_at": line.created_at.isoformat(),
    }


@router.post("/quality")
def check_quality(body: CaptureBody, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    """Quality at capture: ``ok`` and the reasons to retake, each a code and a sentence for the officer."""
    principal.require(Permission.BIO_CAPTURE)
    prints = {position: _image(data, f"fingerprint {position}") for position, data in body.fingerprints.items()}
    verdict = biometrics(request).check_capture(_image(body.photo, "photo"), prints)
    return {"ok": verdict.ok, "reasons": list(verdict.reasons)}


@router.post("/match")
def match(body: MatchBody, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    """1:1: are the two photos of one person?  The score, the operating threshold and the decision."""
    principal.require(Permission.BIO_VERIFY)
    result = biometrics(request).compare_faces(_image(body.first, "first photo"), _image(body.second, "second photo"))
    return {"score": round(result.score, 4), "threshold": result.threshold, "matched": result.matched}


@router.get("/adjudications")
def queue(request: Request, principal: CurrentPrincipal,
          limit: int = Query(default=100, ge=1, le=500)) -> dict[str, Any]:
    """Duplicate candidates waiting for a supervisor, oldest first (no images: open a case for them)."""
    principal.require(Permission.BIO_ADJUDICATE)
    lines = biometrics(request).queue(limit=limit, actor=principal.actor)
    return {"items": [summary_out(line) for line in lines]}


@router.get("/adjudications/{application_id}")
def case(application_id: str, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    """The applicant's photo beside each candidate's, base64; opening them is in each person's access log."""
    principal.require(Permission.BIO_ADJUDICATE)
    found = biometrics(request).case(application_id, actor=principal.actor)

    def b64(data: bytes | None) -> str | None:
        return None if data is None else base64.b64encode(data).decode()

    return {
        "application_id": found.application_id,
        "personal_number": found.personal_number,
        "status": found.status,
        "photo": b64(found.photo),
        "candidates": [{**summary_out(c.summary), "photo": b64(c.photo)} for c in found.candidates],
    }


@router.post("/adjudications/{application_id}/decision")
def decide(application_id: str, body: DecisionBody, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    """A supervisor's ruling on one candidate; returns the application's screening status."""
    principal.require(Permission.BIO_ADJUDICATE)
    status = biometrics(request).decide(application_id, body.candidate_personal_number, body.duplicate,
                                        actor=principal.actor)
    return {"application_id": application_id, "status": status, "cleared": status == "clear"}
