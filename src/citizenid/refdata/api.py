"""Reference data over HTTP: the code lists officers' forms and partners' systems pick from."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from citizenid.auth.api import CurrentPrincipal
from citizenid.refdata import loaders
from citizenid.refdata.domain import CodeEntry, Commune, Province

router = APIRouter(prefix="/api/v1/refdata", tags=["reference data"])


def _province(p: Province) -> dict[str, Any]:
    return {"code": p.code, "number_code": p.number_code, "name": p.name, "short_name": p.short_name,
            "scheme": p.scheme}


def _commune(c: Commune) -> dict[str, Any]:
    return {"code": c.code, "name": c.name, "kind": c.kind, "province_code": c.province_code,
            "district_code": c.district_code, "scheme": c.scheme}


def _entry(e: CodeEntry) -> dict[str, Any]:
    return {"code": e.code, "name": e.name, "variants": list(e.variants)}


@router.get("/provinces")
def provinces(
    principal: CurrentPrincipal, scheme: Literal["current", "legacy"] = "current"
) -> list[dict[str, Any]]:
    found = loaders.current_provinces() if scheme == "current" else loaders.legacy_provinces()
    return [_province(p) for p in found]


@router.get("/provinces/{code}/communes")
def communes(code: str, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    """The communes and wards in force in a current province."""
    return [_commune(c) for c in loaders.current_communes_in(loaders.current_province(code).code)]


@router.get("/communes/{code}")
def commune(
    code: str, principal: CurrentPrincipal, scheme: Annotated[Literal["current", "legacy"], Query()] = "current"
) -> dict[str, Any]:
    """A commune; a legacy one comes with the current communes it became (the default first)."""
    if scheme == "current":
        return _commune(loaders.current_commune(code))
    legacy = loaders.legacy_commune(code)
    return _commune(legacy) | {"current": [_commune(c) for c in loaders.current_communes_for_legacy(code)]}


@router.get("/ethnic-groups")
def ethnic_groups(principal: CurrentPrincipal) -> list[dict[str, Any]]:
    return [_entry(e) for e in loaders.ethnic_groups()]


@router.get("/religions")
def religions(principal: CurrentPrincipal) -> list[dict[str, Any]]:
    return [_entry(e) for e in loaders.religions()]
