"""Auditors read the access log."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from citizenid.audit.service import AuditService
from citizenid.auth.api import CurrentPrincipal
from citizenid.auth.domain import Permission

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("/access-log")
def access_log(
    request: Request,
    principal: CurrentPrincipal,
    subject: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    actor: Annotated[str | None, Query(max_length=120)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    principal.require(Permission.AUDIT_READ)
    service: AuditService = request.app.state.container.audit
    records = service.for_subject(subject, limit=limit) if subject else service.recent(limit=limit, actor=actor)
    return [asdict(r) for r in records]
