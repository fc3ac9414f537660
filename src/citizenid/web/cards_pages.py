"""Console pages for the card's life: taking an application step by step, the worklists, approving or
rejecting with a reason, issuance at the counter, a card with its rendered faces, reporting it lost, and
the campaign against its targets.  Thin: each route reads a form and calls the card service.

Application ids appear in URLs (they say nothing about the person); card numbers do not: a card is opened
through a sealed, session-bound reference like a person.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from citizenid.auth.domain import Permission
from citizenid.cards.domain import ApplicationState, Reason, RevocationReason
from citizenid.cards.repository import Worklist
from citizenid.cards.service import ApplicationView
from citizenid.errors import CitizenIdError
from citizenid.registry.domain import Person
from citizenid.web.console import MAX_FORM_BYTES, OfficerPage, form_of, require_csrf
from citizenid.web.errors import WebError
from citizenid.web.rendering import Page, page_keys

router = APIRouter(include_in_schema=False)
DECLARED_FIELDS = ("family_name", "middle_name", "given_name", "sex", "birth_date", "residence_commune",
                   "residence_detail")
MAX_CAPTURE_BYTES = 2_000_000
# Fingers taken at the counter by default: the two index fingers (ISO/IEC 19794-4 positions 2 and 7).
FINGERS = (2, 7)


def _cards(page: Page) -> Any:
    return page.request.app.state.container.cards


# --- worklists ----------------------------------------------------------------------------------------


@router.get("/console/applications")
async def worklist(page: OfficerPage, state: str = "received") -> Response:
    try:
        wanted = ApplicationState(state)
    except ValueError:
        wanted = ApplicationState.RECEIVED
    items = await run_in_threadpool(_cards(page).worklist, page.officer(), Worklist(state=wanted), page_size=100)
    now = dt.datetime.now(dt.UTC)
    rows = [{"id": a.application_id, "site": a.site, "province": a.province, "reason": a.reason,
             "received": a.received_at, "days": (now - a.state_since).days, "mismatches": len(a.mismatches)}
            for a in items]
    return page.render("applications.html", rows=rows, state=wanted.value,
                       states=[s.value for s in ApplicationState])


# --- one application ---------------------------------------------------------------------------------


@router.get("/console/a/{application_id}")
async def application(application_id: str, page: OfficerPage) -> Response:
    return await _application(page, application_id, notice=None, error=None)


async def _application(page: Page, application_id: str, *, notice: str | None, error: str | None,
                       status: int = 200) -> Response:
    cards = _cards(page)
    principal = page.officer()
    view: ApplicationView = await run_in_threadpool(cards.get_application, principal, application_id)
    history = await run_in_threadpool(cards.application_history, principal, application_id)
    person = await run_in_threadpool(page.request.app.state.container.registry.get_person, principal,
                                     view.personal_number, purpose="card application")
    return page.render("application.html", status=status, a=view, history=history, name=person.full_name,
                       number=view.personal_number, notice=notice, error=error, key=secrets.token_urlsafe(12),
                       can_decide=page.can(Permission.CARD_DECIDE.value),
                       can_verify=page.can(Permission.CARD_VERIFY.value),
                       can_issue=page.can(Permission.CARD_ISSUE.value))


@router.post("/console/a/{application_id}/{action}")
async def act(application_id: str, action: str, request: Request, page: OfficerPage) -> Response:
    form = await form_of(request)
    require_csrf(page, form)
    cards, principal, key = _cards(page), page.officer(), form.get("key") or None
    t = page.t
    try:
        if action == "verify":
            await run_in_threadpool(cards.verify, principal, application_id, idempotency_key=key)
            notice = t.gettext("The application agrees with the register and is verified.")
        elif action == "approve":
            await run_in_threadpool(cards.approve, principal, application_id, idempotency_key=key)
            notice = t.gettext("The application is approved for production.")
        elif action == "reject":
            await run_in_threadpool(cards.reject, principal, application_id, form.get("reason", ""),
                                    idempotency_key=key)
            notice = t.gettext("The application is rejected; the applicant can see the reason.")
        elif action == "issue":
            await run_in_threadpool(cards.issue, principal, application_id,
                                    officer_confirmed=form.get("confirmed") == "yes", idempotency_key=key)
            notice = t.gettext("The card is issued and active.")
        else:
            raise WebError(f"no action '{action}' on an application")
    except CitizenIdError as exc:
        return await _application(page, application_id, notice=None, error=exc.detail, status=exc.status)
    return await _application(page, application_id, notice=notice, error=None)


# --- taking an application ------------------------------------------------------------------------------


@router.get("/console/applications/new")
def intake_start(page: OfficerPage) -> Response:
    return page.render("intake_find.html", error=None)


@router.post("/console/applications/new")
async def intake_applicant(request: Request, page: OfficerPage) -> Response:
    """Step 2: the applicant as the register knows them, beside the fields the officer types from the form."""
    form = await form_of(request)
    require_csrf(page, form)
    number = form.get("personal_number", "")
    try:
        person = await run_in_threadpool(request.app.state.container.registry.get_person, page.officer(), number,
                                         purpose="card application: applicant lookup")
    except CitizenIdError as exc:
        return page.render("intake_find.html", status=exc.status, error=exc.detail)
    return _intake_form(page, person, page_keys(request).seal(page.token(), person.personal_number))


def _intake_form(page: Page, person: Person, ref: str, *, error: str | None = None, status: int = 200) -> Response:
    registered = person.to_dict()
    return page.render("intake_form.html", status=status, number=person.personal_number, name=person.full_name,
                       registered={f: registered.get(f) or "" for f in DECLARED_FIELDS}, fields=DECLARED_FIELDS,
                       reasons=[r.value for r in Reason], fingers=FINGERS, key=secrets.token_urlsafe(12),
                       ref=ref, error=error)


@router.post("/console/applications/submit")
async def intake_submit(request: Request, page: OfficerPage) -> Response:
    """Step 3: record the application with its captures; the receipt carries its number and appointment."""
    if int(request.headers.get("content-length") or 0) > MAX_CAPTURE_BYTES * (len(FINGERS) + 1) + MAX_FORM_BYTES:
        raise WebError("the photo and fingerprints are too large (2 MB each at most)")
    async with request.form(max_files=len(FINGERS) + 1, max_fields=40) as form:
        text = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
        require_csrf(page, text)
        photo = await _read(form.get("photo"))
        prints = {f: data for f in FINGERS if (data := await _read(form.get(f"finger_{f}")))}
    number = page_keys(request).open(page.token(), text.get("ref", ""))
    declared = {f: text[f] for f in DECLARED_FIELDS if text.get(f)}
    try:
        reason = Reason(text.get("reason", ""))
        receipt = await run_in_threadpool(
            _cards(page).take_application, page.officer(), number, reason=reason, site=text.get("site", ""),
            declared=declared, photo=photo, fingerprints=prints, idempotency_key=text.get("key") or None)
    except ValueError:
        return _see_other_new()
    except CitizenIdError as exc:
        person = await run_in_threadpool(request.app.state.container.registry.get_person, page.officer(), number,
                                         purpose="card application: applicant lookup")
        return _intake_form(page, person, text.get("ref", ""), error=exc.detail, status=exc.status)
    return page.render("intake_receipt.html", a=receipt.application, candidates=receipt.candidates,
                       photo=data_url(photo))


def _see_other_new() -> Response:
    return RedirectResponse("/console/applications/new", status_code=303)


async def _read(item: object) -> bytes | None:
    if not isinstance(item, UploadFile):
        return None
    data = await item.read(MAX_CAPTURE_BYTES + 1)
    if len(data) > MAX_CAPTURE_BYTES:
        raise WebError(f"{item.filename or 'a capture'} is larger than 2 MB")
    return data or None


def data_url(image: bytes | None) -> str | None:
    if not image:
        return None
    kind = "png" if image.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(image).decode()}"


# --- cards ------------------------------------------------------------------------------------------------


@router.get("/console/cards")
def find_card_form(page: OfficerPage) -> Response:
    return page.render("cards.html", cards=None, error=None)


@router.post("/console/cards")
async def find_cards(request: Request, page: OfficerPage) -> Response:
    form = await form_of(request)
    require_csrf(page, form)
    try:
        found = await run_in_threadpool(_cards(page).cards_of, page.officer(), form.get("personal_number", ""))
    except CitizenIdError as exc:
        return page.render("cards.html", status=exc.status, cards=None, error=exc.detail)
    keys = page_keys(request)
    return page.render("cards.html", cards=[{"ref": keys.seal(page.token(), c.card_number), "card": c}
                                            for c in found], error=None)


@router.get("/console/c/{ref}")
async def card_page(ref: str, page: OfficerPage) -> Response:
    return await _card(page, ref, notice=None, error=None)


async def _card(page: Page, ref: str, *, notice: str | None, error: str | None, status: int = 200) -> Response:
    number = page_keys(page.request).open(page.token(), ref)
    cards, principal = _cards(page), page.officer()
    card = await run_in_threadpool(cards.get_card, principal, number)
    history = await run_in_threadpool(cards.card_history, principal, number)
    faces = getattr(cards, "card_faces", None)
    front = back = None
    if faces is not None:
        images = await run_in_threadpool(faces, principal, number)
        if images is not None:
            front, back = (data_url(i) for i in images)
    return page.render("card.html", status=status, ref=ref, card=card, history=history, front=front, back=back,
                       reasons=[r.value for r in (RevocationReason.LOST, RevocationReason.STOLEN,
                                                  RevocationReason.DAMAGED)],
                       can_revoke=page.can(Permission.CARD_REVOKE.value), notice=notice, error=error)


@router.post("/console/c/{ref}/revoke")
async def revoke_card(ref: str, request: Request, page: OfficerPage) -> Response:
    form = await form_of(request)
    require_csrf(page, form)
    number = page_keys(request).open(page.token(), ref)
    try:
        reason = RevocationReason(form.get("reason", ""))
        await run_in_threadpool(_cards(page).revoke, page.officer(), number, reason, form.get("note", ""))
    except ValueError:
        return await _card(page, ref, notice=None, error=page.t.gettext("Choose why the card is revoked."),
                           status=422)
    except CitizenIdError as exc:
        return await _card(page, ref, notice=None, error=exc.detail, status=exc.status)
    return await _card(page, ref, notice=page.t.gettext("The card is revoked and on the revocation list."),
                       error=None)


# --- production batches ----------------------------------------------------------------------------------


@router.get("/console/batches")
async def batches(page: OfficerPage) -> Response:
    return await _batches(page, notice=None, error=None)


async def _batches(page: Page, *, notice: str | None, error: str | None, status: int = 200) -> Response:
    found = await run_in_threadpool(_cards(page).batches, page.officer())
    return page.render("batches.html", status=status, batches=found, notice=notice, error=error,
                       can_produce=page.can(Permission.CARD_PRODUCE.value))


@router.post("/console/batches")
async def create_batch(request: Request, page: OfficerPage) -> Response:
    """A new batch of approved applications; production workers (``citizenid batch run``) make the cards."""
    form = await form_of(request)
    require_csrf(page, form)
    size = form.get("limit", "")
    try:
        batch = await run_in_threadpool(_cards(page).create_batch, page.officer(),
                                        limit=int(size) if size.isdigit() else 1000)
    except CitizenIdError as exc:
        return await _batches(page, notice=None, error=exc.detail, status=exc.status)
    return await _batches(page, notice=page.t.gettext("Batch {id} created with {n} cards to make.").format(
        id=batch.batch_id, n=batch.size), error=None)
