"""The partner API of the exchange (DPoP-bound tokens).  Its administration is in :mod:`api_admin`, the
citizen portal in :mod:`api_portal`; all three routers run in :class:`routing.ExchangeRoute` (bodies capped,
every refusal answered as problem+json and recorded in the access log, rate-limit headers)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from citizenid.exchange.api_admin import admin_router
from citizenid.exchange.api_portal import portal_router
from citizenid.exchange.domain import PartnerPrincipal
from citizenid.exchange.errors import ExchangeInvalid, PartnerNotAuthenticated
from citizenid.exchange.routing import PREFIX, TOKEN_PATH, ExchangeRoute, _events, _service
from citizenid.exchange.service import CardSubmission, VerifyQuery
from citizenid.exchange.tokens import DpopProof

__all__ = ["PUBLIC_ROUTES", "admin_router", "portal_router", "router"]

PUBLIC_ROUTES = frozenset({
    ("POST", TOKEN_PATH),
    ("GET", f"{PREFIX}/webhook-key"),
    ("POST", "/api/v1/portal/login"),
    ("POST", "/api/v1/portal/login/verify"),
})

Number = Annotated[str, Field(pattern=r"^(\d{12}|A[A-Z2-7]{25})$", description="personal number or alias")]

router = APIRouter(prefix=PREFIX, tags=["exchange"], route_class=ExchangeRoute)


# -- partner authentication -----------------------------------------------------------------------------------


def _url(request: Request) -> str:
    return str(request.url.replace(query=None, fragment=None))


async def current_partner(request: Request) -> tuple[PartnerPrincipal, DpopProof]:
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme != "DPoP" or not token:
        raise PartnerNotAuthenticated("send 'Authorization: DPoP <token>' and a DPoP proof "
                                      f"(POST {TOKEN_PATH} gives a token)")
    service = _service(request)
    principal, proof = service.authenticate(token, request.headers.get("dpop"), method=request.method,
                                            url=_url(request))
    request.state.partner = principal
    request.state.rate = service.spend(principal)
    return principal, proof


Partner = Annotated[tuple[PartnerPrincipal, DpopProof], Depends(current_partner)]


class TokenOut(BaseModel):
    access_token: str
    token_type: str
    expires_in: int


_TOKEN_BODY = {"requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
    "type": "object", "required": ["grant_type", "client_assertion_type", "client_assertion"],
    "properties": {"grant_type": {"type": "string", "enum": ["client_credentials"]},
                   "client_assertion_type": {"type": "string"}, "client_assertion": {"type": "string"},
                   "client_id": {"type": "string"}, "scope": {"type": "string"}}}}}}}


@router.post("/oauth/token", response_model=TokenOut, openapi_extra=_TOKEN_BODY)
async def token(request: Request) -> TokenOut:
    """OAuth 2.0 client credentials: a ``private_key_jwt`` assertion (RFC 7523) and a DPoP proof (RFC 9449)."""
    try:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8"), max_num_fields=10).items()}
    except (UnicodeDecodeError, ValueError):
        raise ExchangeInvalid("send the token request form-encoded") from None
    issued = await run_in_threadpool(_service(request).issue_token, form, request.headers.get("dpop"),
                                     token_url=_url(request))
    return TokenOut(access_token=issued.access_token, token_type=issued.token_type, expires_in=issued.expires_in)


@router.get("/ping")
async def partner_ping(partner: Partner) -> dict[str, str]:
    """A constant behind partner authentication (token, DPoP proof, rate limit): the baseline that the
    benchmark compares verify with, beside the officers' ``/api/v1/ping``.  Its proof is not stored, so it
    costs no write; any other route spends the proof in the database."""
    return {"pong": "ok", "client": partner[0].client_id}


@router.get("/webhook-key")
def webhook_key(request: Request) -> dict[str, Any]:
    """The public key (JWK) that signs event webhooks (RFC 9421, ed25519)."""
    return {"keys": [_events(request).public_jwk()]}


# -- verify -------------------------------------------------------------------------------------------------------


class Claims(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    birth_date: str | None = Field(default=None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    sex: str | None = Field(default=None, pattern=r"^[MFmf]$")
    nationality: str | None = Field(default=None, max_length=3)
    ethnicity: str | None = Field(default=None, max_length=40)
    religion: str | None = Field(default=None, max_length=40)
    residence_commune: str | None = Field(default=None, max_length=10)
    residence_detail: str | None = Field(default=None, max_length=300)
    origin_commune: str | None = Field(default=None, max_length=10)
    status: str | None = Field(default=None, max_length=10)

    def values(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identifier: Number
    attributes: Claims


class VerifyBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[VerifyIn] = Field(min_length=1, max_length=100)


class VerifyOut(BaseModel):
    identifier: str
    match: bool
    attributes: dict[str, bool]
    name_exact: bool | None = None


def _queries(items: list[VerifyIn]) -> list[VerifyQuery]:
    queries = [VerifyQuery(i.identifier, i.attributes.values()) for i in items]
    if any(not q.attributes for q in queries):
        raise ExchangeInvalid("send at least one attribute to verify")
    return queries


async def _verify(request: Request, partner: tuple[PartnerPrincipal, DpopProof],
                  items: list[VerifyIn]) -> list[dict[str, Any]]:
    """The lean path: reads on the event loop (two primary-key probes per verification), the access-log
    writes group-committed on the loop, the answer sent once they are durable."""
    principal, proof = partner
    service = _service(request)
    flight = service.start_verify(principal, proof, _queries(items), request_id=request.state.request_id)
    accepted = await service.committer.commit(flight.write)
    return [{"identifier": a.identifier, "match": a.match, "attributes": a.attributes, "name_exact": a.name_exact}
            for a in service.finish_verify(flight, accepted)]


def _json(content: Any) -> Response:
    # Answers built here are already in the documented shape; re-validating them through the response
    # model cost as much as the verification itself.
    return Response(json.dumps(content, ensure_ascii=False, separators=(",", ":")), media_type="application/json")


@router.post("/verify", response_model=VerifyOut)
async def verify(body: VerifyIn, request: Request, partner: Partner) -> Response:
    """Yes / no per attribute the partner holds.  Never returns the register's values."""
    return _json((await _verify(request, partner, [body]))[0])


@router.post("/verify/batch", response_model=list[VerifyOut])
async def verify_batch(body: VerifyBatchIn, request: Request, partner: Partner) -> Response:
    """Up to 100 verifications in one request; each counts against the rate limit."""
    if len(body.items) > 1:
        request.state.rate = _service(request).limiter.take(partner[0].client_id, partner[0].limits,
                                                            len(body.items) - 1)
    return _json(await _verify(request, partner, body.items))


class AliasIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identifier: Number


@router.post("/aliases")
def alias(body: AliasIn, request: Request, partner: Partner) -> dict[str, str]:
    """This service's stable pseudonym for a person: unlinkable to other services' and to the number."""
    principal, proof = partner
    return {"alias": _service(request).alias(principal, proof, body.identifier)}


# -- consent and fetch ----------------------------------------------------------------------------------------------


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identifier: Number
    attributes: list[str] = Field(min_length=1, max_length=20)
    purpose: str = Field(min_length=3, max_length=300)
    valid_for_seconds: int = Field(default=86_400, ge=60, le=30 * 86_400)


class CardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    challenge_id: str = Field(max_length=36)
    sod: str = Field(max_length=200_000, description="EF.SOD, base64")
    data_groups: dict[str, str] = Field(description="data group number → content, base64 (DG1, DG13, DG15 …)",
                                        max_length=16)
    active_authentication_signature: str = Field(max_length=2000, description="the chip's answer, base64")
    access: str = Field(default="PACE", pattern=r"^(PACE|BAC)$")
    chip_authenticated: bool | None = None

    def submission(self) -> CardSubmission:
        try:
            files = {0x011D: base64.b64decode(self.sod, validate=True)}
            for number, content in self.data_groups.items():
                group = int(number.removeprefix("DG").removeprefix("dg"))
                if not 1 <= group <= 16:
                    raise ValueError(number)
                files[0x0100 | group] = base64.b64decode(content, validate=True)
            signature = base64.b64decode(self.active_authentication_signature, validate=True)
        except (ValueError, binascii.Error):
            raise ExchangeInvalid("card files and signature must be base64; data groups named 1-16") from None
        return CardSubmission(self.challenge_id, files, signature, self.access, self.chip_authenticated)


class CardOtpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    credential_id: str = Field(min_length=1, max_length=36)
    code: str = Field(pattern=r"^\d{6,8}$")


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identifier: Number
    code: str | None = Field(default=None, pattern=r"^\d{6}$", description="the code sent to the citizen")
    card: CardIn | None = Field(default=None, description="a card read answering a server challenge")
    card_otp: CardOtpIn | None = Field(default=None, description="a code from the card's OTP application")


class FetchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identifier: Number
    consent_id: str = Field(max_length=36)


@router.post("/consents", status_code=201)
def request_consent(body: ConsentIn, request: Request, partner: Partner) -> dict[str, Any]:
    """Ask the citizen to agree: a one-time code goes to them; they give it to the partner (or use their card)."""
    principal, proof = partner
    receipt = _service(request).request_consent(principal, proof, body.identifier, body.attributes, body.purpose,
                                                valid_for=dt.timedelta(seconds=body.valid_for_seconds))
    return receipt.as_dict(subject=body.identifier)


@router.get("/consents/{consent_id}")
def consent(request: Request, partner: Partner, consent_id: Annotated[str, Path(max_length=36)],
            identifier: Annotated[str, Query(pattern=r"^(\d{12}|A[A-Z2-7]{25})$")]) -> dict[str, Any]:
    principal, proof = partner
    return _service(request).consent_receipt(principal, proof, consent_id, identifier).as_dict(subject=identifier)


@router.post("/consents/{consent_id}/approve")
def approve(body: ApproveIn, request: Request, partner: Partner,
            consent_id: Annotated[str, Path(max_length=36)]) -> dict[str, Any]:
    principal, proof = partner
    if sum(x is not None for x in (body.code, body.card, body.card_otp)) != 1:
        raise ExchangeInvalid("approve with one of: the citizen's code, their card, their card's OTP")
    receipt = _service(request).approve_consent(
        principal, proof, consent_id, body.identifier, code=body.code,
        card=body.card.submission() if body.card else None,
        card_otp=(body.card_otp.credential_id, body.card_otp.code) if body.card_otp else None)
    return receipt.as_dict(subject=body.identifier)


@router.post("/fetch")
def fetch(body: FetchIn, request: Request, partner: Partner) -> dict[str, Any]:
    """The consented attributes, once per consent: what the consent and the service's grant both allow."""
    principal, proof = partner
    subject, values, receipt = _service(request).fetch(principal, proof, body.consent_id, body.identifier,
                                                       request_id=request.state.request_id)
    return {"subject": subject, "attributes": values, "consent": receipt.as_dict(subject=body.identifier)}


# -- card-based authentication --------------------------------------------------------------------------------------


@router.post("/card/challenges", status_code=201)
def card_challenge(request: Request, partner: Partner) -> dict[str, str]:
    """A fresh nonce for the card's active authentication (INTERNAL AUTHENTICATE)."""
    principal, proof = partner
    challenge_id, nonce = _service(request).card_challenge(principal, proof)
    return {"challenge_id": challenge_id, "nonce": base64.b64encode(nonce).decode()}


@router.post("/card/authenticate")
def card_authenticate(body: CardIn, request: Request, partner: Partner) -> dict[str, Any]:
    """What the partner's reader read; checked with the chip verifier and the revocation status."""
    principal, proof = partner
    identity = _service(request).card_authenticate(principal, proof, body.submission(),
                                                   request_id=request.state.request_id)
    return {"subject": identity.identifier, "attributes": identity.attributes, "checks": identity.checks}


# -- events -----------------------------------------------------------------------------------------------------------


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    topics: list[str] = Field(min_length=1, max_length=3)
    url: str = Field(max_length=500)


@router.post("/subscriptions", status_code=201)
def subscribe(body: SubscriptionIn, request: Request, partner: Partner) -> dict[str, str]:
    principal, _ = partner
    return {"subscription_id": _events(request).subscribe(principal, body.topics, body.url)}


@router.get("/subscriptions")
def subscriptions(request: Request, partner: Partner) -> list[dict[str, Any]]:
    return _events(request).subscriptions(partner[0])


@router.delete("/subscriptions/{subscription_id}", status_code=204)
def unsubscribe(request: Request, partner: Partner, subscription_id: Annotated[str, Path(max_length=36)]) -> None:
    _events(request).unsubscribe(partner[0], subscription_id)


@router.get("/dead-letters")
def dead_letters(request: Request, partner: Partner) -> list[dict[str, Any]]:
    return _events(request).dead_letters(partner[0])
