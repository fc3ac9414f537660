"""HTTP routes of the register: thin — parse, call one service method, shape the answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from citizenid.auth.api import CurrentPrincipal
from citizenid.errors import NotFound
from citizenid.refdata import code_name, current_commune, current_province, ethnic_group, religion
from citizenid.registry.domain import EventKind, LifeEvent, Person
from citizenid.registry.repository import SearchCriteria
from citizenid.registry.service import DEFAULT_PURPOSE, RegistryService

router = APIRouter(prefix="/api/v1", tags=["registry"])
Purpose = Annotated[
    str,
    Header(alias="X-Purpose", max_length=600, description="why the data is needed; UTF-8, percent-encoded"),
]


def registry(request: Request) -> RegistryService:
    service: RegistryService = request.app.state.container.registry
    return service


def _place(code: str | None, detail: str | None = None) -> dict[str, Any] | None:
    if not code:
        return None
    try:
        commune = current_commune(code)
        province = current_province(commune.province_code)
    except NotFound:
        return {"commune_code": code, "detail": detail}
    return {
        "commune_code": code,
        "commune": commune.name,
        "province_code": province.code,
        "province": province.name,
        "detail": detail,
    }


def person_out(person: Person) -> dict[str, Any]:
    data = person.to_dict()
    data["full_name"] = person.full_name
    data["ethnicity_name"] = code_name(ethnic_group, person.ethnicity)
    data["religion_name"] = code_name(religion, person.religion)
    data["residence"] = _place(person.residence_commune, person.residence_detail)
    data["current_residence"] = _place(person.current_commune, person.current_detail)
    data["origin"] = _place(person.origin_commune)
    return data


@router.get("/persons/{number}", response_class=JSONResponse)
def get_person(
    number: str, request: Request, principal: CurrentPrincipal, purpose: Purpose = DEFAULT_PURPOSE
) -> JSONResponse:
    # The hottest route: person_out() is already JSON-native, so it skips FastAPI's generic encoder.
    return JSONResponse(person_out(registry(request).get_person(principal, number, purpose=unquote(purpose))))


@router.get("/persons")
def search_persons(
    request: Request,
    principal: CurrentPrincipal,
    name: Annotated[str | None, Query(max_length=200)] = None,
    birth_date: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    birth_year: Annotated[int | None, Query(ge=1880, le=2400)] = None,
    old_id_number: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
    household_id: Annotated[str | None, Query(max_length=20)] = None,
    commune: Annotated[str | None, Query(pattern=r"^\d{5}$")] = None,
    sex: Annotated[str | None, Query(pattern=r"^[MF]$")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    purpose: Purpose = DEFAULT_PURPOSE,
) -> dict[str, Any]:
    criteria = SearchCriteria(name=name, birth_date=birth_date, birth_year=birth_year, household_id=household_id,
                              residence_commune=commune, sex=sex)
    found = registry(request).search(principal, criteria, page=page, page_size=page_size, purpose=unquote(purpose),
                                     old_id_number=old_id_number)
    return {
        "items": [person_out(p) | {"exact": e} for p, e in zip(found.items, found.exact, strict=True)],
        "page": found.page,
        "page_size": found.page_size,
        "has_more": found.has_more,
    }


@router.get("/persons/{number}/history")
def person_history(
    number: str, request: Request, principal: CurrentPrincipal, purpose: Purpose = DEFAULT_PURPOSE
) -> dict[str, Any]:
    found = registry(request).history(principal, number, purpose=unquote(purpose))
    return {
        "personal_number": found.personal_number,
        "versions": [
            {"version": v.version, "recorded_at": v.recorded_at, "superseded_at": v.superseded_at,
             "changes": {k: {"before": b, "after": a} for k, (b, a) in v.changes.items()},
             "person": person_out(v.person)}
            for v in found.versions
        ],
        "events": [asdict(e) for e in found.events],
    }


@router.get("/persons/{number}/as-of")
def person_as_of(
    number: str,
    request: Request,
    principal: CurrentPrincipal,
    at: Annotated[dt.datetime, Query(description="an instant with its zone, e.g. 2025-07-01T00:00:00+07:00")],
    purpose: Purpose = DEFAULT_PURPOSE,
) -> dict[str, Any]:
    return person_out(registry(request).as_of(principal, number, at, purpose=unquote(purpose)))


class EventIn(BaseModel):
    kind: EventKind
    effective_date: dt.date
    reason: str = Field(min_length=1, max_length=2000)
    legal_basis: str = Field(min_length=1, max_length=300)
    data: dict[str, str | None] = Field(default_factory=dict)
    expected_version: int | None = None


@router.post("/persons/{number}/events", status_code=201)
def record_event(number: str, body: EventIn, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    event = LifeEvent(body.kind, body.effective_date, body.reason, body.legal_basis, dict(body.data))
    person = registry(request).record_event(principal, number, event, expected_version=body.expected_version)
    return person_out(person)


class BirthIn(BaseModel):
    registration_province: str = Field(pattern=r"^\d{2,3}$")
    registered_on: dt.date
    reason: str = Field(default="birth registration", min_length=1, max_length=2000)
    legal_basis: str = Field(min_length=1, max_length=300)
    child: dict[str, str | None]


@router.post("/births", status_code=201)
def register_birth(body: BirthIn, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    person = registry(request).register_birth(
        principal, dict(body.child), registration_province=body.registration_province,
        registered_on=body.registered_on, reason=body.reason, legal_basis=body.legal_basis,
    )
    return person_out(person)


@router.get("/households/{household_id}")
def get_household(
    household_id: str, request: Request, principal: CurrentPrincipal, purpose: Purpose = DEFAULT_PURPOSE
) -> dict[str, Any]:
    found = registry(request).household(principal, household_id, purpose=unquote(purpose))
    return {
        "household_id": found.household_id,
        "head_number": found.head_number,
        "address": _place(found.residence_commune, found.residence_detail),
        "members": [person_out(m) for m in found.members],
    }


@router.get("/numbers/{number}")
def check_number(number: str, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    checked = registry(request).check_number(principal, number)
    e = checked.explanation
    return {
        "number": e.number, "valid": e.valid, "reason": e.reason, "province_code": e.province_code,
        "province": e.province_name, "sex": e.sex, "century": e.century, "birth_year": e.birth_year,
        "registered": checked.registered, "mismatches": checked.mismatches,
    }
