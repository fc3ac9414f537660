"""A service records the outcome of a case in the register (the ``record_events`` grant).

A level-4 online service that decides, say, a change of permanent residence must change the register the
way an officer would: as a life event, with its reason and legal basis, in the person's history, and
published to the partners who subscribe to it.  The grant names the event kinds a service may record.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from citizenid.auth.domain import Principal, Role
from citizenid.exchange.api import Partner
from citizenid.exchange.domain import Operation
from citizenid.exchange.routing import PREFIX, ExchangeRoute, _service
from citizenid.registry.domain import EventKind, LifeEvent

cases_router = APIRouter(prefix=PREFIX, tags=["exchange"], route_class=ExchangeRoute)


class LifeEventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identifier: Annotated[str, Field(pattern=r"^(\d{12}|A[A-Z2-7]{25})$")]
    kind: EventKind
    effective_date: dt.date
    reason: str = Field(min_length=1, max_length=2000)
    legal_basis: str = Field(min_length=1, max_length=300)
    data: dict[str, Annotated[str, Field(max_length=300)] | None] = Field(default_factory=dict, max_length=10)
    expected_version: int | None = None


@cases_router.post("/life-events", status_code=201)
async def record_life_event(body: LifeEventIn, request: Request, partner: Partner) -> dict[str, Any]:
    """Record a case's outcome as a life event; the answer says the record's new version, nothing more."""
    principal, proof = partner
    number = await run_in_threadpool(_service(request).admit_operation, principal, proof, Operation.RECORD_EVENTS,
                                     [body.kind.value], body.identifier)
    # The registry's rules apply as to an officer who records events, under the service's own name.
    recorder = Principal(username=principal.client_id, role=Role.REGISTRAR, kind="partner")
    event = LifeEvent(body.kind, body.effective_date, body.reason, body.legal_basis, dict(body.data))
    person = await run_in_threadpool(request.app.state.container.registry.record_event, recorder, number, event,
                                     expected_version=body.expected_version)
    return {"identifier": body.identifier, "kind": body.kind.value, "version": person.version}
