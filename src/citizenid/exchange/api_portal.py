"""The citizen portal: one-time-code login, the data tracker, consent receipts (decisions 0031, 0039)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from citizenid.audit.api import _tracked
from citizenid.exchange.errors import (
    CitizenNotAuthenticated,
)
from citizenid.exchange.routing import ExchangeRoute, _portal

portal_router = APIRouter(prefix="/api/v1/portal", tags=["citizen portal"], route_class=ExchangeRoute)


# -- the citizen portal -------------------------------------------------------------------------------------------


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    personal_number: str = Field(pattern=r"^\d{12}$")


class LoginVerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    personal_number: str = Field(pattern=r"^\d{12}$")
    challenge_id: str = Field(max_length=36)
    code: str = Field(pattern=r"^\d{6}$")


def current_citizen(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme != "Bearer" or not token:
        raise CitizenNotAuthenticated("log in with your personal number and a one-time code "
                                      "(POST /api/v1/portal/login)")
    return _portal(request).citizen(token)


Citizen = Annotated[str, Depends(current_citizen)]


@portal_router.post("/login", status_code=202)
def portal_login(body: LoginIn, request: Request) -> dict[str, str]:
    """Sends a one-time code to the citizen; the answer is the same for any well-formed number."""
    return {"challenge_id": _portal(request).start_login(body.personal_number)}


@portal_router.post("/login/verify")
def portal_login_verify(body: LoginVerifyIn, request: Request) -> dict[str, str]:
    session = _portal(request).finish_login(body.personal_number, body.challenge_id, body.code)
    return {"access_token": session.token, "token_type": "bearer", "expires_at": session.expires_at.isoformat()}


@portal_router.get("/tracker")
def portal_tracker(request: Request, citizen: Citizen,
                   limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """Who accessed my data, when, through which service and why, each with its inclusion proof."""
    tracker = _portal(request).tracker(citizen, limit=limit)
    return {"subject": tracker.subject,
            "checkpoint": tracker.checkpoint.as_dict() if tracker.checkpoint else None,
            "accesses": [_tracked(a) for a in tracker.accesses]}


@portal_router.get("/consents")
def portal_consents(request: Request, citizen: Citizen) -> list[dict[str, Any]]:
    return [r.as_dict() for r in _portal(request).consents(citizen)]


@portal_router.post("/consents/{consent_id}/revoke")
def portal_revoke(request: Request, citizen: Citizen,
                  consent_id: Annotated[str, Path(max_length=36)]) -> dict[str, Any]:
    return _portal(request).revoke(citizen, consent_id).as_dict()
