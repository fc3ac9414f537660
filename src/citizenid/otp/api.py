"""HTTP routes of the OTP area: a service checks a citizen's one-time password (e.g. to confirm consent)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from citizenid.auth.api import CurrentPrincipal
from citizenid.auth.domain import Permission
from citizenid.otp.service import DEFAULT_PURPOSE, OtpService

router = APIRouter(prefix="/api/v1/otp", tags=["otp"])


def otp(request: Request) -> OtpService:
    service: OtpService = request.app.state.container.otp
    return service


class ValidateBody(BaseModel):
    personal_number: str = Field(pattern=r"^\d{12}$")
    credential_id: str = Field(min_length=1, max_length=36, description="the card number")
    code: str = Field(min_length=1, max_length=10)
    purpose: str = Field(default=DEFAULT_PURPOSE, min_length=1, max_length=200, description="recorded in the audit log")


class ResyncBody(BaseModel):
    personal_number: str = Field(pattern=r"^\d{12}$")
    credential_id: str = Field(min_length=1, max_length=36)
    first: str = Field(min_length=1, max_length=10)
    second: str = Field(min_length=1, max_length=10)
    purpose: str = Field(default=DEFAULT_PURPOSE, min_length=1, max_length=200)


@router.post("/validate")
def validate(body: ValidateBody, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    """Accept the code once; a refused, replayed or locked code is a problem (OTP-010/011/013)."""
    principal.require(Permission.OTP_VALIDATE)
    matched = otp(request).validate(body.personal_number, body.credential_id, body.code, actor=principal.actor,
                                    purpose=body.purpose)
    return {"accepted": True, "moving_factor": matched}


@router.post("/resynchronise")
def resync(body: ResyncBody, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    """Two consecutive codes from the card bring the server back in step with it."""
    principal.require(Permission.OTP_VALIDATE)
    matched = otp(request).resynchronise(body.personal_number, body.credential_id, body.first, body.second,
                                         actor=principal.actor, purpose=body.purpose)
    return {"accepted": True, "moving_factor": matched}
