"""Administration of the exchange over HTTP: officers with ``exchange:partner:manage``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from citizenid.auth.api import CurrentPrincipal
from citizenid.auth.domain import Permission
from citizenid.exchange.domain import Limits
from citizenid.exchange.routing import PREFIX, ExchangeRoute, _events, _service

admin_router = APIRouter(prefix=f"{PREFIX}/admin", tags=["exchange administration"], route_class=ExchangeRoute)


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
