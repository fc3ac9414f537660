"""The FastAPI application factory: mounts each area's router and turns errors into problem+json."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from citizenid import __version__
from citizenid.audit.api import router as audit_router
from citizenid.auth.api import PUBLIC_ROUTES as AUTH_PUBLIC
from citizenid.auth.api import CurrentPrincipal, users_router
from citizenid.auth.api import router as auth_router
from citizenid.biometrics.api import router as biometrics_router
from citizenid.bootstrap import Container, bootstrap
from citizenid.cards.api import applications_router, cards_router
from citizenid.cleansing.api import router as cleansing_router
from citizenid.documents.api import partner_router as documents_partner_router
from citizenid.documents.api import portal_router as documents_portal_router
from citizenid.errors import CitizenIdError
from citizenid.exchange.api import PUBLIC_ROUTES as EXCHANGE_PUBLIC
from citizenid.exchange.api import admin_router as exchange_admin_router
from citizenid.exchange.api import portal_router
from citizenid.exchange.api import router as exchange_router
from citizenid.exchange.api_cases import cases_router
from citizenid.otp.api import router as otp_router
from citizenid.refdata.api import router as refdata_router
from citizenid.registry.api import router as registry_router
from citizenid.signing.api import router as signing_router
from citizenid.web.console import PUBLIC_PAGES
from citizenid.web.mount import is_page, mount_pages, page_error
from citizenid.web.portal import PUBLIC_PORTAL_PAGES

log = logging.getLogger("citizenid.http")
PROBLEM = "application/problem+json"

# Routes that answer without credentials.  A test walks every route and holds the app to this list.
PUBLIC_ROUTES = AUTH_PUBLIC | EXCHANGE_PUBLIC | frozenset(
    {
        ("GET", "/"),
        ("GET", "/api/v1/health"),
        ("GET", "/openapi.json"),
        ("GET", "/docs"),
        ("GET", "/docs/oauth2-redirect"),
    }
) | PUBLIC_PAGES | PUBLIC_PORTAL_PAGES


def problem(status: int, title: str, detail: str, code: str, **extra: Any) -> JSONResponse:
    body = {"type": f"https://citizenid.example/problems/{code}", "title": title, "status": status,
            "detail": detail, "code": code, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    container: Container = app.state.container
    # Routes run in a thread pool.  SQLite takes one writer at a time and makes the others sleep and retry;
    # a few threads keep the core busy without that queue of sleepers.  PostgreSQL keeps the default.
    threads = container.settings.request_threads or (4 if container.engine.dialect.name == "sqlite" else 40)
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads
    yield


def create_app(container: Container) -> FastAPI:
    app = FastAPI(title="citizenid", version=__version__, redoc_url=None, lifespan=_lifespan)
    app.state.container = container

    @app.exception_handler(CitizenIdError)
    async def _domain_error(request: Request, exc: CitizenIdError) -> Response:
        if is_page(request):
            return page_error(request, exc)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        response = JSONResponse(exc.problem(), status_code=exc.status, media_type=PROBLEM)
        if headers:
            response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"location": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors) or "invalid request"
        return problem(422, "Invalid request", detail, "GEN-422", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "GEN-404", 405: "GEN-405", 401: "AUTH-401", 403: "AUTH-403"}.get(exc.status_code, "GEN-HTTP")
        return problem(exc.status_code, str(exc.detail), str(exc.detail), code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "Internal error", "something went wrong on our side; it has been logged", "GEN-500")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/console")

    @app.get("/api/v1/health", tags=["ops"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/api/v1/ping", tags=["ops"])
    def ping(principal: CurrentPrincipal) -> dict[str, str]:
        """A constant behind authentication: the baseline that benchmarks compare endpoints with."""
        return {"pong": "ok"}

    # The exchange first: partners' verifications are the hot path, and routes are matched in order.
    app.include_router(exchange_router)
    app.include_router(exchange_admin_router)
    app.include_router(portal_router)
    app.include_router(cases_router)
    app.include_router(documents_partner_router)
    app.include_router(documents_portal_router)
    app.include_router(auth_router)
    app.include_router(users_router)
    app.include_router(registry_router)
    app.include_router(refdata_router)
    app.include_router(audit_router)
    app.include_router(signing_router)
    app.include_router(otp_router)
    app.include_router(biometrics_router)
    app.include_router(applications_router)
    app.include_router(cards_router)
    app.include_router(cleansing_router)
    mount_pages(app, container.settings.data_dir / "keys")
    return app


def app_from_environment() -> FastAPI:
    """For ``uvicorn --factory citizenid.app:app_from_environment``."""
    return create_app(bootstrap())
