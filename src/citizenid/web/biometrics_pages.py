"""Console pages for biometric adjudication: applications whose face resembles someone already enrolled,
the applicant's photo beside each candidate's with the scores, and a supervisor's ruling per candidate.

Application ids appear in URLs; candidates' personal numbers travel only in the form body.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from citizenid.auth.domain import Permission
from citizenid.errors import CitizenIdError
from citizenid.web.cards_pages import data_url
from citizenid.web.console import OfficerPage, form_of, require_csrf
from citizenid.web.rendering import Page

router = APIRouter(include_in_schema=False)


def _biometrics(page: Page) -> Any:
    page.officer().require(Permission.BIO_ADJUDICATE)
    return page.request.app.state.container.biometrics


@router.get("/console/adjudications")
async def queue(page: OfficerPage) -> Response:
    lines = await run_in_threadpool(_biometrics(page).queue, actor=page.officer().actor)
    return page.render("adjudications.html", lines=lines)


@router.get("/console/adjudications/{application_id}")
async def case(application_id: str, page: OfficerPage) -> Response:
    return await _case(page, application_id, notice=None, error=None)


async def _case(page: Page, application_id: str, *, notice: str | None, error: str | None,
                status: int = 200) -> Response:
    found = await run_in_threadpool(_biometrics(page).case, application_id, actor=page.officer().actor)
    candidates = [{"number": c.summary.candidate_personal_number, "face": c.summary.face_score,
                   "finger": c.summary.finger_score, "status": c.summary.status, "photo": data_url(c.photo)}
                  for c in found.candidates]
    return page.render("adjudication.html", status=status, case=found, photo=data_url(found.photo),
                       candidates=candidates, notice=notice, error=error)


@router.post("/console/adjudications/{application_id}")
async def decide(application_id: str, request: Request, page: OfficerPage) -> Response:
    form = await form_of(request)
    require_csrf(page, form)
    try:
        await run_in_threadpool(_biometrics(page).decide, application_id, form.get("candidate", ""),
                                form.get("ruling") == "duplicate", actor=page.officer().actor)
    except CitizenIdError as exc:
        return await _case(page, application_id, notice=None, error=exc.detail, status=exc.status)
    return await _case(page, application_id, notice=page.t.gettext("The ruling is recorded."), error=None)
