"""Console pages for the duplicate review queue of the cleansing pipeline: the pending pairs strongest
first, the two records side by side with the fields that differ highlighted and the match evidence, a
supervisor's answer (same person / keep apart), and a run's merges with un-merge.

Run ids and pair numbers appear in URLs; the records themselves only on the pages.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from citizenid.errors import CitizenIdError
from citizenid.refdata import current_provinces
from citizenid.web.console import OfficerPage, form_of, require_csrf
from citizenid.web.rendering import Page

router = APIRouter(include_in_schema=False)


def _cleansing(page: Page) -> Any:
    return page.request.app.state.container.cleansing


@router.get("/console/reviews")
async def queue(page: OfficerPage) -> Response:
    items = await run_in_threadpool(_cleansing(page).reviews, page.officer(), limit=100)
    rows = [{"run": i.run_id, "pair": i.pair_no, "probability": i.match_probability,
             "left": _name(i.left), "right": _name(i.right), "guards": i.guards} for i in items]
    return page.render("reviews.html", rows=rows)


def _name(side: dict[str, Any]) -> str:
    keys = side.get("keys") or {}
    return str(keys.get("full_name") or keys.get("name") or side.get("id", ""))


@router.get("/console/reviews/{run_id}/{pair_no}")
async def pair(run_id: str, pair_no: int, page: OfficerPage) -> Response:
    return await _pair(page, run_id, pair_no, notice=None, error=None)


async def _pair(page: Page, run_id: str, pair_no: int, *, notice: str | None, error: str | None,
                status: int = 200) -> Response:
    item = await run_in_threadpool(_cleansing(page).review, page.officer(), run_id, pair_no)
    left, right = item.left.get("original") or {}, item.right.get("original") or {}
    fields = sorted(set(left) | set(right))
    rows = [{"field": f, "left": left.get(f), "right": right.get(f),
             "differs": str(left.get(f) or "").strip() != str(right.get(f) or "").strip()} for f in fields]
    return page.render("review.html", status=status, item=item, rows=rows, notice=notice, error=error)


@router.post("/console/reviews/{run_id}/{pair_no}")
async def decide(run_id: str, pair_no: int, request: Request, page: OfficerPage) -> Response:
    form = await form_of(request)
    require_csrf(page, form)
    answer = form.get("answer")
    try:
        await run_in_threadpool(_cleansing(page).decide, page.officer(), run_id, pair_no,
                                same_person=answer == "same", note=form.get("note") or None)
    except CitizenIdError as exc:
        return await _pair(page, run_id, pair_no, notice=None, error=exc.detail, status=exc.status)
    notice = page.t.gettext("Recorded: the same person; the next merge of the run joins them.") if answer == "same" \
        else page.t.gettext("Recorded: two different people; they stay apart.")
    return await _pair(page, run_id, pair_no, notice=notice, error=None)


@router.get("/console/runs/{run_id}/merges")
async def merges(run_id: str, page: OfficerPage) -> Response:
    return await _merges(page, run_id, notice=None, error=None)


async def _merges(page: Page, run_id: str, *, notice: str | None, error: str | None, status: int = 200) -> Response:
    found = await run_in_threadpool(_cleansing(page).merges_of, page.officer(), run_id)
    return page.render("merges.html", status=status, run_id=run_id, merges=found, notice=notice, error=error)


@router.post("/console/runs/{run_id}/merges/{merge_id}/unmerge")
async def unmerge(run_id: str, merge_id: str, request: Request, page: OfficerPage) -> Response:
    form = await form_of(request)
    require_csrf(page, form)
    try:
        await run_in_threadpool(_cleansing(page).unmerge, page.officer(), merge_id, reason=form.get("reason", ""))
    except CitizenIdError as exc:
        return await _merges(page, run_id, notice=None, error=exc.detail, status=exc.status)
    return await _merges(page, run_id, notice=page.t.gettext("The merge is undone; the records stand apart again."),
                         error=None)


def clean_share_rows(page: Page) -> list[dict[str, Any]]:
    """The share of clean legacy records per province, for the dashboard (empty without the permission)."""
    if not page.can("cleansing:quality:read"):
        return []
    report = _cleansing(page).report(page.officer())
    names = {p.code: p.name for p in current_provinces()}
    return [{"province": names.get(k, k), "records": g.records, "share": g.share}
            for k, g in sorted(report.by_province.items())]
