"""Mounting the pages on the app: routes, static files, and HTML answers for page errors."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from citizenid.errors import CitizenIdError
from citizenid.web.biometrics_pages import router as biometrics_pages_router
from citizenid.web.cards_pages import router as cards_pages_router
from citizenid.web.console import router as console_router
from citizenid.web.portal import CitizenSignInRequired
from citizenid.web.portal import router as portal_router
from citizenid.web.rendering import Page, SignInRequired, language_of
from citizenid.web.review_pages import router as review_pages_router
from citizenid.web.security import PageKeys

PAGE_PREFIXES = ("/console", "/login", "/logout", "/language", "/portal")


def is_page(request: Request) -> bool:
    path = request.url.path
    return any(path == p or path.startswith(p + "/") for p in PAGE_PREFIXES)


def mount_pages(app: FastAPI, keys_dir: Path) -> None:
    app.state.page_keys = PageKeys(keys_dir)
    app.mount("/static", StaticFiles(directory=str(files("citizenid.web") / "static")), name="static")
    app.include_router(console_router)
    app.include_router(cards_pages_router)
    app.include_router(review_pages_router)
    app.include_router(biometrics_pages_router)
    app.include_router(portal_router)

    @app.exception_handler(CitizenSignInRequired)
    async def _citizen_sign_in(request: Request, exc: CitizenSignInRequired) -> Response:  # noqa: ARG001
        return RedirectResponse("/portal/login", status_code=303)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:  # noqa: ARG001 - handler signature
        return RedirectResponse("/login", status_code=303)


def page_error(request: Request, exc: CitizenIdError) -> Response:
    """A domain error on a page: the same page chrome, the error's title in the reader's language."""
    page = Page(request, language_of(request))
    return page.render("error.html", status=exc.status, title=exc.title, detail=exc.detail)
