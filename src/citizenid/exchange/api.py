"""Routes of the exchange platform: the partner API (DPoP-bound tokens), its administration (officers),
and the citizen portal's login, data tracker and consents.

Partner routes run in :class:`ExchangeRoute`: bodies are capped, every refusal is answered as
problem+json *and* recorded in the access log, and rate-limit headers go on every answer.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import itertools
import os
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from citizenid.audit.api import _tracked
from citizenid.auth.api import CurrentPrincipal
from citizenid.auth.domain import Permission
from citizenid.errors import CitizenIdError
from citizenid.exchange.domain import Limits, PartnerPrincipal, RateState
from citizenid.exchange.errors import (
    BodyTooLarge,
    CitizenNotAuthenticated,
    ExchangeError,
    ExchangeInvalid,
    PartnerNotAuthenticated,
    RateLimited,
)
from citizenid.exchange.events import EventService
from citizenid.exchange.portal import CitizenPortal
from citizenid.exchange.service import CardSubmission, ExchangeService, VerifyQuery
from citizenid.exchange.tokens import ALGORITHMS, DpopProof

PREFIX = "/api/v1/exchange"
TOKEN_PATH = f"{PREFIX}/oauth/token"
MAX_BODY = 64 * 1024
MAX_CARD_BODY = 512 * 1024
DPOP_CHALLENGE = f'DPoP algs="{" ".join(sorted(ALGORITHMS))}"'
PROBLEM = "application/problem+json"

PUBLIC_ROUTES = frozenset({
    ("POST", TOKEN_PATH),
    ("GET", f"{PREFIX}/webhook-key"),
    ("POST", "/api/v1/portal/login"),
    ("POST", "/api/v1/portal/login/verify"),
})

Number = Annotated[str, Field(pattern=r"^(\d{12}|A[A-Z2-7]{25})$", description="personal number or alias")]


def _service(request: Request) -> ExchangeService:
    service: ExchangeService = request.app.state.container.exchange
    return service


def _events(request: Request) -> EventService:
    service: EventService = request.app.state.container.exchange_events
    return service


def _portal(request: Request) -> CitizenPortal:
    service: CitizenPortal = request.app.state.container.portal
    return service


# -- the route class: body cap, refusals audited, rate-limit headers ------------------------------------------


def _problem(exc: CitizenIdError, headers: dict[str, str]) -> JSONResponse:
    return JSONResponse(exc.problem(), status_code=exc.status, media_type=PROBLEM, headers=headers)


def _rate_headers(state: RateState | None) -> dict[str, str]:
    if state is None:
        return {}
    return {"RateLimit-Limit": str(state.limit), "RateLimit-Remaining": str(state.remaining),
            "RateLimit-Reset": str(state.reset_seconds)}


_REQUEST_IDS = itertools.count(1)


def _request_id() -> str:
    # A counter, not uuid4: os.urandom releases the GIL on every request of the hot path.
    return f"x{os.getpid():x}-{next(_REQUEST_IDS):x}"


class ExchangeRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        limit = MAX_CARD_BODY if "/card/" in self.path or "approve" in self.path else MAX_BODY

        async def guarded(request: Request) -> Response:
            request.state.request_id = request.headers.get("x-request-id") or _request_id()
            try:
                declared = int(request.headers.get("content-length") or 0)
                if declared > limit or len(await request.body()) > limit:
                    raise BodyTooLarge(f"bodies are limited to {limit} bytes here")
                response = await handler(request)
            except ExchangeError as exc:
                await _refused(request, exc.code, exc.detail, exc)
                headers = _rate_headers(getattr(request.state, "rate", None))
                if isinstance(exc, RateLimited):
                    headers.update({"Retry-After": str(exc.extra.get("retry_after", 1)),
                                    "RateLimit-Limit": str(exc.extra.get("limit", 0)), "RateLimit-Remaining": "0",
                                    "RateLimit-Reset": str(exc.extra.get("retry_after", 1))})
                if exc.status == 401:
                    headers["WWW-Authenticate"] = "Bearer" if isinstance(exc, CitizenNotAuthenticated) or not \
                        request.headers.get("authorization", "").startswith("DPoP ") else DPOP_CHALLENGE
                return _problem(exc, headers)
            except RequestValidationError as exc:
                await _refused(request, "GEN-422", str(exc.errors())[:300], None)
                raise
            response.headers.update(_rate_headers(getattr(request.state, "rate", None)))
            return response

        return guarded


async def _refused(request: Request, code: str, detail: str, exc: ExchangeError | None) -> None:
    if request.url.path.startswith(f"{PREFIX}/admin") or (isinstance(exc, RateLimited) and code == "XCH-429"):
        return  # officers' mistakes are not abuse; plain rate-limit refusals would turn a flood into writes
    partner: PartnerPrincipal | None = getattr(request.state, "partner", None)
    actor = partner.actor if partner is not None else "anonymous"
    await run_in_threadpool(_service(request).record_refusal, actor, f"exchange:request:{request.method.lower()}",
                            code, f"{request.url.path}: {detail}", request.state.request_id)


router = APIRouter(prefix=PREFIX, tags=["exchange"], route_class=ExchangeRoute)
admin_router = APIRouter(prefix=f"{PREFIX}/admin", tags=["exchange administration"], route_class=ExchangeRoute)
portal_router = APIRouter(prefix="/api/v1/portal", tags=["citizen portal"], route_class=ExchangeRoute)


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
                  items: list[VerifyIn]) -> list[VerifyOut]:
    """The lean path: reads on the event loop (two primary-key probes per verification), the access-log
    writes group-committed by one thread, the answer sent once they are durable."""
    principal, proof = partner
    service = _service(request)
    flight = service.start_verify(principal, proof, _queries(items), request_id=request.state.request_id)
    accepted = await service.committer.commit(flight.write)
    return [VerifyOut(identifier=a.identifier, match=a.match, attributes=a.attributes, name_exact=a.name_exact)
            for a in service.finish_verify(flight, accepted)]


@router.post("/verify", response_model=VerifyOut)
async def verify(body: VerifyIn, request: Request, partner: Partner) -> VerifyOut:
    """Yes / no per attribute the partner holds.  Never returns the register's values."""
    return (await _verify(request, partner, [body]))[0]


@router.post("/verify/batch", response_model=list[VerifyOut])
async def verify_batch(body: VerifyBatchIn, request: Request, partner: Partner) -> list[VerifyOut]:
    """Up to 100 verifications in one request; each counts against the rate limit."""
    if len(body.items) > 1:
        request.state.rate = _service(request).limiter.take(partner[0].client_id, partner[0].limits,
                                                            len(body.items) - 1)
    return await _verify(request, partner, body.items)


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


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identifier: Number
    code: str | None = Field(default=None, pattern=r"^\d{6}$")
    card: CardIn | None = None


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
    if (body.code is None) == (body.card is None):
        raise ExchangeInvalid("approve with either the citizen's code or their card")
    receipt = _service(request).approve_consent(principal, proof, consent_id, body.identifier, code=body.code,
                                                card=body.card.submission() if body.card else None)
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


# -- administration (officers) -------------------------------------------------------------------------------------


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    member_id: str = Field(pattern=r"^[A-Za-z0-9_-]{2,40}$")
    name: str = Field(min_length=1, max_length=300)
    kind: str = Field(max_length=20)


class SubsystemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    member_id: str = Field(max_length=40)
    subsystem_id: str = Field(pattern=r"^[A-Za-z0-9_-]{2,80}$")
    name: str = Field(min_length=1, max_length=300)


class ServiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subsystem_id: str = Field(max_length=80)
    service_code: str = Field(pattern=r"^[A-Za-z0-9_-]{2,80}$")
    name: str = Field(min_length=1, max_length=300)
    legal_basis: str = Field(min_length=3, max_length=500)
    purpose: str = Field(min_length=3, max_length=500)
    pseudonymous: bool = False


class GrantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scope: list[str] = Field(max_length=20)


class ClientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service_code: str = Field(max_length=80)
    client_id: str = Field(pattern=r"^[A-Za-z0-9_.-]{3,80}$")
    name: str = Field(min_length=1, max_length=300)
    rate_per_second: float = Field(default=50.0, gt=0, le=100_000)
    burst: int = Field(default=100, ge=1, le=1_000_000)
    daily_quota: int = Field(default=1_000_000, ge=1, le=10**10)


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    jwk: dict[str, Any]


class SuspendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=3, max_length=500)


ClientId = Annotated[str, Path(max_length=80)]


@admin_router.get("/services")
def services(request: Request, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    principal.require(Permission.EXCHANGE_MANAGE)
    return _service(request).services()


@admin_router.post("/catalogue", status_code=201)
def seed_catalogue(request: Request, principal: CurrentPrincipal) -> dict[str, int]:
    principal.require(Permission.EXCHANGE_MANAGE)
    return {"services_added": _service(request).seed_catalogue(principal.actor)}


@admin_router.post("/members", status_code=201)
def add_member(body: MemberIn, request: Request, principal: CurrentPrincipal) -> dict[str, str]:
    principal.require(Permission.EXCHANGE_MANAGE)
    _service(request).add_member(principal.actor, body.member_id, body.name, body.kind)
    return {"member_id": body.member_id}


@admin_router.post("/subsystems", status_code=201)
def add_subsystem(body: SubsystemIn, request: Request, principal: CurrentPrincipal) -> dict[str, str]:
    principal.require(Permission.EXCHANGE_MANAGE)
    _service(request).add_subsystem(principal.actor, body.member_id, body.subsystem_id, body.name)
    return {"subsystem_id": body.subsystem_id}


@admin_router.post("/services", status_code=201)
def add_service(body: ServiceIn, request: Request, principal: CurrentPrincipal) -> dict[str, str]:
    principal.require(Permission.EXCHANGE_MANAGE)
    _service(request).add_service(principal.actor, body.subsystem_id, body.service_code, body.name,
                                  legal_basis=body.legal_basis, purpose=body.purpose, pseudonymous=body.pseudonymous)
    return {"service_code": body.service_code}


@admin_router.put("/services/{service_code}/grants/{operation}")
def set_grant(body: GrantIn, request: Request, principal: CurrentPrincipal,
              service_code: Annotated[str, Path(max_length=80)],
              operation: Annotated[str, Path(max_length=20)]) -> dict[str, Any]:
    principal.require(Permission.EXCHANGE_MANAGE)
    scope = _service(request).grant(principal.actor, service_code, operation, body.scope)
    return {"service_code": service_code, "operation": operation, "scope": sorted(scope)}


@admin_router.delete("/services/{service_code}/grants/{operation}", status_code=204)
def revoke_grant(request: Request, principal: CurrentPrincipal, service_code: Annotated[str, Path(max_length=80)],
                 operation: Annotated[str, Path(max_length=20)]) -> None:
    principal.require(Permission.EXCHANGE_MANAGE)
    _service(request).revoke_grant(principal.actor, service_code, operation)


@admin_router.post("/clients", status_code=201)
def add_client(body: ClientIn, request: Request, principal: CurrentPrincipal) -> dict[str, str]:
    principal.require(Permission.EXCHANGE_MANAGE)
    _service(request).add_client(principal.actor, body.service_code, body.client_id, body.name,
                                 limits=Limits(body.rate_per_second, body.burst, body.daily_quota))
    return {"client_id": body.client_id}


@admin_router.post("/clients/{client_id}/keys", status_code=201)
def add_key(body: KeyIn, request: Request, principal: CurrentPrincipal, client_id: ClientId) -> dict[str, str]:
    principal.require(Permission.EXCHANGE_MANAGE)
    return {"kid": _service(request).add_key(principal.actor, client_id, body.jwk)}


@admin_router.post("/clients/{client_id}/keys/{kid}/retire", status_code=204)
def retire_key(request: Request, principal: CurrentPrincipal, client_id: ClientId,
               kid: Annotated[str, Path(max_length=100)]) -> None:
    principal.require(Permission.EXCHANGE_MANAGE)
    _service(request).retire_key(principal.actor, client_id, kid)


@admin_router.post("/clients/{client_id}/suspend", status_code=204)
def suspend(body: SuspendIn, request: Request, principal: CurrentPrincipal, client_id: ClientId) -> None:
    principal.require(Permission.EXCHANGE_MANAGE)
    _service(request).set_suspended(principal.actor, client_id, True, body.reason)


@admin_router.post("/clients/{client_id}/reinstate", status_code=204)
def reinstate(request: Request, principal: CurrentPrincipal, client_id: ClientId) -> None:
    principal.require(Permission.EXCHANGE_MANAGE)
    _service(request).set_suspended(principal.actor, client_id, False)


@admin_router.post("/deliveries/run")
def run_deliveries(request: Request, principal: CurrentPrincipal) -> dict[str, int]:
    principal.require(Permission.EXCHANGE_MANAGE)
    report = _events(request).deliver_due()
    return {"delivered": report.delivered, "retried": report.retried, "dead": report.dead}


@admin_router.get("/dead-letters")
def all_dead_letters(request: Request, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    principal.require(Permission.EXCHANGE_MANAGE)
    return _events(request).dead_letters()


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
