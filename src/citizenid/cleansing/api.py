"""HTTP routes of cleansing for supervisors: the review queue (both records side by side with the match
evidence), the answer to a pair, un-merge, and the quality report.  Thin: parse, call one service method."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from citizenid.auth.api import CurrentPrincipal
from citizenid.cleansing.service import CleansingService

router = APIRouter(prefix="/api/v1/cleansing", tags=["cleansing"])


def cleansing(request: Request) -> CleansingService:
    service: CleansingService = request.app.state.container.cleansing
    return service


class DecisionBody(BaseModel):
    same_person: bool = Field(description="true: the two records are one person (merged by the next merge)")
    note: str | None = Field(default=None, max_length=2000)


class UnmergeBody(BaseModel):
    reason: str = Field(min_length=1, max_length=600)


@router.get("/reviews")
def list_reviews(
    request: Request,
    principal: CurrentPrincipal,
    run_id: str | None = Query(default=None, max_length=36),
    offset: int = Query(default=0, ge=0),
    limit: int = Query(default=20, ge=1, le=100),
) -> list[dict[str, Any]]:
    return [asdict(item) for item in cleansing(request).reviews(principal, run_id=run_id, offset=offset, limit=limit)]


@router.get("/runs/{run_id}/reviews/{pair_no}")
def get_review(request: Request, principal: CurrentPrincipal, run_id: str, pair_no: int) -> dict[str, Any]:
    return asdict(cleansing(request).review(principal, run_id, pair_no))


@router.post("/runs/{run_id}/reviews/{pair_no}/decision")
def decide_review(
    request: Request, principal: CurrentPrincipal, run_id: str, pair_no: int, body: DecisionBody
) -> dict[str, Any]:
    item = cleansing(request).decide(principal, run_id, pair_no, same_person=body.same_person, note=body.note)
    return asdict(item)


@router.get("/runs")
def list_runs(request: Request, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    return [asdict(run) for run in cleansing(request).runs(principal)]


@router.get("/runs/{run_id}/merges")
def list_merges(request: Request, principal: CurrentPrincipal, run_id: str) -> list[dict[str, Any]]:
    return [asdict(m) for m in cleansing(request).merges_of(principal, run_id)]


@router.post("/merges/{merge_id}/unmerge")
def unmerge(request: Request, principal: CurrentPrincipal, merge_id: str, body: UnmergeBody) -> dict[str, Any]:
    return asdict(cleansing(request).unmerge(principal, merge_id, reason=body.reason))


@router.get("/report")
def report(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    return cleansing(request).report(principal).as_dict()
