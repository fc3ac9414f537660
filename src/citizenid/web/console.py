"""The officer console: sign in and out, the dashboard, find a person, see the record and record an event.

Routes are thin: they read the form, call one service, and render a template.  Every page needs a
signed-in officer (otherwise the browser is sent to the sign-in page), every form that changes
something needs this session's CSRF token, and personal numbers travel only inside opaque references
(see :mod:`citizenid.web.security`), never in a URL.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from citizenid.auth.domain import Permission
from citizenid.auth.errors import AuthError
from citizenid.errors import CitizenIdError
from citizenid.refdata import address_text, code_name, current_provinces, ethnic_group, religion
from citizenid.registry.domain import EventKind, LifeEvent, Person
from citizenid.registry.errors import RegistryInvalid
from citizenid.registry.repository import SearchCriteria
from citizenid.web.errors import CsrfRejected
from citizenid.web.i18n import LANGUAGES
from citizenid.web.rendering import Page, SignInRequired, language_of, page_keys
from citizenid.web.security import LANGUAGE_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE, login_csrf

router = APIRouter(include_in_schema=False)
PUBLIC_PAGES = frozenset({("GET", "/login"), ("POST", "/login"), ("POST", "/language")})
MAX_FORM_BYTES = 16_384
_EVENT_KINDS = (EventKind.CHANGE_OF_RESIDENCE, EventKind.CHANGE_OF_NAME, EventKind.MARRIAGE, EventKind.DIVORCE,
                EventKind.DEATH)


async def form_of(request: Request) -> dict[str, str]:
    raw = await request.body()
    if len(raw) > MAX_FORM_BYTES:
        return {}
    parsed = parse_qs(raw.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=50)
    return {k: v[0].strip() for k, v in parsed.items()}


async def officer_page(request: Request) -> Page:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInRequired
    auth = request.app.state.container.auth
    principal = auth.recently_authenticated(token)
    if principal is None:
        try:
            principal = await run_in_threadpool(auth.authenticate, token)
        except AuthError:
            raise SignInRequired from None
    if principal.kind != "officer":
        raise SignInRequired
    csrf = page_keys(request).csrf_token(token)
    return Page(request, language_of(request), principal, token, csrf)


OfficerPage = Annotated[Page, Depends(officer_page)]


def require_csrf(page: Page, form: dict[str, str]) -> None:
    if not page_keys(page.request).csrf_valid(page.token(), form.get("csrf")):
        raise CsrfRejected("the form has expired or did not come from this console; reload the page")


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --- signing in and out ---------------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request) -> Response:
    page = Page(request, language_of(request), csrf=login_csrf())
    response = page.render("login.html", error=None)
    set_cookie(request, response, LOGIN_CSRF_COOKIE, page.csrf, max_age=1800)
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    form = await form_of(request)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    page = Page(request, language_of(request), csrf=login_csrf())
    if not cookie or form.get("csrf") != cookie:
        expired = page.t.gettext("The form has expired. Try again.")
        response: Response = page.render("login.html", status=403, error=expired)
    else:
        try:
            issued = await run_in_threadpool(
                request.app.state.container.auth.login, form.get("username", ""), form.get("password", "")
            )
        except CitizenIdError:
            response = page.render("login.html", status=401,
                                   error=page.t.gettext("Wrong username or password."))
        else:
            response = _see_other("/console")
            set_cookie(request, response, SESSION_COOKIE, issued.token,
                        max_age=int((issued.expires_at - dt.datetime.now(dt.UTC)).total_seconds()))
            response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
            return response
    set_cookie(request, response, LOGIN_CSRF_COOKIE, page.csrf, max_age=1800)
    return response


@router.post("/logout")
async def logout(request: Request, page: OfficerPage) -> Response:
    require_csrf(page, await form_of(request))
    await run_in_threadpool(request.app.state.container.auth.logout, page.token())
    response = _see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/language")
async def choose_language(request: Request) -> Response:
    """Switch between Vietnamese and English; the language is not personal data, so no session needed."""
    form = await form_of(request)
    language = form.get("language", "")
    back = form.get("back", "/console")
    response = _see_other(back if back.startswith("/") and not back.startswith("//") else "/console")
    if language in LANGUAGES:
        set_cookie(request, response, LANGUAGE_COOKIE, language, max_age=365 * 86400, http_only=False)
    return response


def set_cookie(request: Request, response: Response, name: str, value: str, *, max_age: int,
                http_only: bool = True) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=http_only, samesite="strict",
                        secure=request.url.scheme == "https")


# --- the dashboard ---------------------------------------------------------------------------------


@router.get("/console")
def dashboard(page: OfficerPage) -> Response:
    container = page.request.app.state.container
    allowed = page.can(Permission.PERSON_READ.value)
    counts = container.registry.counts_by_province(page.officer()) if allowed else {}
    provinces = {p.code: p.name for p in current_provinces()}
    rows = sorted(((provinces.get(code, code), n) for code, n in counts.items()), key=lambda r: -r[1])
    return page.render("dashboard.html", total=sum(counts.values()), rows=rows,
                       largest=max(counts.values(), default=1), campaign=campaign_rows(page),
                       clean=_clean_rows(page), per_day=_per_day(page))


# --- the campaign ----------------------------------------------------------------------------------------


def _clean_rows(page: Page) -> list[dict[str, Any]]:
    from citizenid.web.review_pages import clean_share_rows  # noqa: PLC0415 - the review pages import us

    return clean_share_rows(page)


def _per_day(page: Page) -> list[tuple[dt.date, int]]:
    if not page.can(Permission.CAMPAIGN_READ.value):
        return []
    days: list[tuple[dt.date, int]] = page.request.app.state.container.cards.produced_per_day(page.officer())
    return days


def campaign_rows(page: Page) -> list[dict[str, Any]]:
    """Targets with their progress, for the dashboard; empty for officers who may not read the campaign."""
    if not page.can(Permission.CAMPAIGN_READ.value):
        return []
    rows = []
    for p in page.request.app.state.container.cards.campaign(page.officer()):
        share = min(1.0, p.done / p.target) if p.target else 0.0
        rows.append({"milestone": p.milestone, "province": p.province, "target": p.target, "done": p.done,
                     "due": p.due_date, "forecast": p.forecast, "on_track": p.on_track, "share": share,
                     "rate": p.daily_rate})
    return rows


# --- finding a person ----------------------------------------------------------------------------------


@router.get("/console/persons")
def search_form(page: OfficerPage) -> Response:
    return page.render("search.html", form={}, results=None, error=None)


@router.post("/console/persons")
async def search(request: Request, page: OfficerPage) -> Response:
    form = await form_of(request)
    require_csrf(page, form)
    container = request.app.state.container
    try:
        results = await run_in_threadpool(_search, container, page, form)
    except CitizenIdError as exc:
        return page.render("search.html", status=exc.status, form=form, results=None, error=exc.detail)
    return page.render("search.html", form=form, results=results, error=None)


def _search(container: Any, page: Page, form: dict[str, str]) -> list[dict[str, Any]]:
    principal = page.officer()
    number = form.get("number", "")
    if number:
        people = [container.registry.get_person(principal, number, purpose="console: find a person")]
    else:
        year = form.get("birth_year", "")
        criteria = SearchCriteria(name=form.get("name") or None, birth_year=int(year) if year.isdigit() else None,
                                  household_id=form.get("household_id") or None)
        found = container.registry.search(principal, criteria, page_size=50, purpose="console: find a person",
                                          old_id_number=form.get("old_id_number") or None)
        people = found.items
    keys = page_keys(page.request)
    return [_summary(p) | {"ref": keys.seal(page.token(), p.personal_number)} for p in people]


def _summary(person: Person) -> dict[str, Any]:
    return {"number": person.personal_number, "name": person.full_name, "sex": person.sex.value,
            "birth": person.birth_date.iso(), "status": person.status.value,
            "residence": address_text(person.residence_commune, person.residence_detail)}


# --- a person's record ---------------------------------------------------------------------------


@router.get("/console/p/{ref}")
async def person_page(ref: str, page: OfficerPage) -> Response:
    return await _person(page, ref, notice=None, error=None)


async def _person(page: Page, ref: str, *, notice: str | None, error: str | None, status: int = 200) -> Response:
    container = page.request.app.state.container
    keys = page_keys(page.request)
    number = keys.open(page.token(), ref)
    principal = page.officer()
    person = await run_in_threadpool(container.registry.get_person, principal, number, purpose="console: record")
    history = await run_in_threadpool(container.registry.history, principal, number, purpose="console: record")
    members: list[dict[str, Any]] = []
    if person.household_id:
        household = await run_in_threadpool(container.registry.household, principal, person.household_id,
                                            purpose="console: record")
        members = [_summary(m) | {"ref": keys.seal(page.token(), m.personal_number),
                                  "relationship": m.household_relationship.value if m.household_relationship else ""}
                   for m in household.members]
    details = _summary(person) | {
        "family_name": person.family_name, "middle_name": person.middle_name or "", "given_name": person.given_name,
        "current": address_text(person.current_commune, person.current_detail),
        "origin": address_text(person.origin_commune),
        "ethnicity": code_name(ethnic_group, person.ethnicity), "religion": code_name(religion, person.religion),
        "father": person.father_name or person.father_number or "", "mother": person.mother_name or
        person.mother_number or "", "spouse": person.spouse_name or person.spouse_number or "",
        "old_id": person.old_id_number or "", "household_id": person.household_id or "", "version": person.version,
    }
    return page.render("person.html", status=status, ref=ref, person=details, members=members,
                       versions=list(reversed(history.versions)), events=list(reversed(history.events)),
                       event_kinds=[k.value for k in _EVENT_KINDS], notice=notice, error=error,
                       today=dt.date.today().isoformat(),  # noqa: DTZ011 - a form default in local terms
                       can_record=page.can(Permission.EVENT_RECORD.value))


@router.post("/console/p/{ref}/events")
async def record_event(ref: str, request: Request, page: OfficerPage) -> Response:
    form = await form_of(request)
    require_csrf(page, form)
    number = page_keys(request).open(page.token(), ref)
    try:
        event = _event_from(form)
        version = form.get("version", "")
        await run_in_threadpool(request.app.state.container.registry.record_event, page.officer(), number, event,
                                expected_version=int(version) if version.isdigit() else None)
    except CitizenIdError as exc:
        return await _person(page, ref, notice=None, error=exc.detail, status=exc.status)
    return await _person(page, ref, notice=page.t.gettext("The event has been recorded."), error=None)


def _event_from(form: dict[str, str]) -> LifeEvent:
    try:
        kind = EventKind(form.get("kind", ""))
        effective = dt.date.fromisoformat(form.get("effective_date", ""))
    except ValueError:
        raise RegistryInvalid("choose the kind of event and its date") from None
    if kind not in _EVENT_KINDS:
        raise RegistryInvalid("this kind of event is not recorded from the console")
    fields = ("residence_commune", "residence_detail", "family_name", "middle_name", "given_name", "spouse_number",
              "spouse_name", "death_date")
    data = {f: form[f] for f in fields if form.get(f)}
    return LifeEvent(kind, effective, form.get("reason", ""), form.get("legal_basis", ""), data)

