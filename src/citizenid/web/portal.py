"""The citizen portal: sign in with the personal number and a one-time code, then see my record, my
integrated documents, my consents (and revoke one), and who accessed my data, when, why and through which
service.  The same protections as the console: CSRF tokens, a HttpOnly SameSite=Strict cookie, no
personal number in any URL.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from citizenid.errors import CitizenIdError
from citizenid.refdata import address_text
from citizenid.web.console import form_of, set_cookie
from citizenid.web.errors import CsrfRejected
from citizenid.web.rendering import Page, SignInRequired, language_of, page_keys
from citizenid.web.security import LOGIN_CSRF_COOKIE, login_csrf

router = APIRouter(include_in_schema=False)
CITIZEN_COOKIE = "citizenid_citizen"
EXPIRED = "The form has expired. Try again."
PUBLIC_PORTAL_PAGES = frozenset({("GET", "/portal/login"), ("POST", "/portal/login"),
                                 ("POST", "/portal/login/verify")})


class CitizenSignInRequired(SignInRequired):
    """A portal page without a signed-in citizen: the app answers with a redirect to the portal's sign-in."""


async def citizen_page(request: Request) -> Page:
    token = request.cookies.get(CITIZEN_COOKIE)
    if not token:
        raise CitizenSignInRequired
    try:
        number = await run_in_threadpool(request.app.state.container.portal.citizen, token)
    except CitizenIdError:
        raise CitizenSignInRequired from None
    return Page(request, language_of(request), session_token=token, csrf=page_keys(request).csrf_token(token),
                citizen=number)


CitizenPage = Annotated[Page, Depends(citizen_page)]


def _portal(request: Request) -> Any:
    return request.app.state.container.portal


def _login_page(request: Request, template: str, *, status: int = 200, **values: Any) -> Response:
    page = Page(request, language_of(request), csrf=login_csrf())
    response = page.render(template, status=status, **values)
    set_cookie(request, response, LOGIN_CSRF_COOKIE, page.csrf, max_age=1800)
    return response


def _login_form_valid(request: Request, form: dict[str, str]) -> bool:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    return bool(cookie) and form.get("csrf") == cookie


@router.get("/portal/login")
def login_form(request: Request) -> Response:
    return _login_page(request, "portal_login.html", error=None)


@router.post("/portal/login")
async def send_code(request: Request) -> Response:
    form = await form_of(request)
    t = Page(request, language_of(request)).t
    number = form.get("personal_number", "")
    if not _login_form_valid(request, form):
        return _login_page(request, "portal_login.html", status=403, error=t.gettext(EXPIRED))
    if not (number.isdigit() and len(number) == 12):
        return _login_page(request, "portal_login.html", status=422,
                           error=t.gettext("A personal number has 12 digits."))
    try:
        challenge = await run_in_threadpool(_portal(request).start_login, number)
    except CitizenIdError as exc:
        return _login_page(request, "portal_login.html", status=exc.status, error=exc.detail)
    return _login_page(request, "portal_code.html", number=number, challenge=challenge, error=None)


@router.post("/portal/login/verify")
async def verify_code(request: Request) -> Response:
    form = await form_of(request)
    t = Page(request, language_of(request)).t
    number, challenge = form.get("personal_number", ""), form.get("challenge", "")
    if not _login_form_valid(request, form):
        return _login_page(request, "portal_login.html", status=403, error=t.gettext(EXPIRED))
    try:
        session = await run_in_threadpool(_portal(request).finish_login, number, challenge, form.get("code", ""))
    except CitizenIdError:
        return _login_page(request, "portal_code.html", status=401, number=number, challenge=challenge,
                           error=t.gettext("The code is wrong or has expired."))
    response = RedirectResponse("/portal", status_code=303)
    set_cookie(request, response, CITIZEN_COOKIE, session.token,
                max_age=int((session.expires_at - dt.datetime.now(dt.UTC)).total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/portal/logout")
async def logout(request: Request, page: CitizenPage) -> Response:
    require_csrf(page, await form_of(request))
    await run_in_threadpool(_portal(request).logout, page.token())
    response = RedirectResponse("/portal/login", status_code=303)
    response.delete_cookie(CITIZEN_COOKIE, path="/")
    return response


def require_csrf(page: Page, form: dict[str, str]) -> None:
    if not page_keys(page.request).csrf_valid(page.token(), form.get("csrf")):
        raise CsrfRejected("the form has expired; reload the page")


@router.get("/portal")
async def my_data(request: Request, page: CitizenPage) -> Response:
    return await _home(request, page, notice=None)


async def _home(request: Request, page: Page, *, notice: str | None) -> Response:
    number = page.citizen or ""
    container = request.app.state.container
    person = await run_in_threadpool(_portal(request).record, number)
    documents = await run_in_threadpool(container.documents.of_holder, f"citizen:{number}", number,
                                        purpose="citizen portal")
    consents = await run_in_threadpool(_portal(request).consents, number)
    applications, cards = await run_in_threadpool(container.cards.holder_view, number)
    tracker = await run_in_threadpool(_portal(request).tracker, number)
    record = None
    if person is not None:
        record = {"number": person.personal_number, "name": person.full_name, "birth": person.birth_date.iso(),
                  "sex": person.sex.value, "residence": address_text(person.residence_commune, person.residence_detail),
                  "status": person.status.value}
    accesses = [{"at": a.entry.record.at, "actor": a.entry.record.actor, "action": a.entry.record.action,
                 "purpose": a.entry.record.purpose, "service": a.entry.record.details.get("service") or "",
                 "proved": a.path is not None} for a in tracker.accesses]
    return page.render("portal_home.html", record=record, documents=documents, consents=consents,
                       accesses=accesses, notice=notice, applications=applications, cards=cards)


@router.post("/portal/consents/{consent_id}/revoke")
async def revoke(consent_id: str, request: Request, page: CitizenPage) -> Response:
    require_csrf(page, await form_of(request))
    await run_in_threadpool(_portal(request).revoke, page.citizen or "", consent_id)
    return await _home(request, page, notice=page.t.gettext("The consent has been revoked."))
