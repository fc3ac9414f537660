"""Every route of the app refuses requests without valid credentials, except the declared public ones."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Route

from citizenid.app import PUBLIC_ROUTES
from citizenid.audit.api import router as audit_router
from citizenid.auth.api import router as auth_router
from citizenid.auth.api import users_router
from citizenid.biometrics.api import router as biometrics_router
from citizenid.cards.api import applications_router, cards_router
from citizenid.cleansing.api import router as cleansing_router
from citizenid.documents.api import partner_router as documents_partner_router
from citizenid.documents.api import portal_router as documents_portal_router
from citizenid.exchange.api import admin_router as exchange_admin_router
from citizenid.exchange.api import portal_router
from citizenid.exchange.api import router as exchange_router
from citizenid.exchange.api_cases import cases_router
from citizenid.otp.api import router as otp_router
from citizenid.refdata.api import router as refdata_router
from citizenid.registry.api import router as registry_router
from citizenid.signing.api import router as signing_router
from citizenid.web.mount import PAGE_PREFIXES
from tests.functional.conftest import PASSWORD, login


def _routes(client: TestClient) -> list[tuple[str, str]]:
    """Every (method, path): the OpenAPI document lists the routers' routes, ``app.routes`` the rest."""
    app = client.app
    found = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()  # type: ignore[attr-defined]
        for method in operations
    }
    found.update(_walk(app.routes, ""))  # type: ignore[attr-defined]
    return sorted(found)


def _walk(routes: list[object], prefix: str) -> set[tuple[str, str]]:
    """Routes, including those of included routers (FastAPI wraps each include in an object of its own)."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, (APIRoute, Route)):
            found.update((m, prefix + route.path) for m in route.methods or [] if m != "HEAD")
        elif hasattr(route, "original_router"):
            context = getattr(route, "include_context", None)
            found |= _walk(route.original_router.routes, prefix + getattr(context, "prefix", ""))
    return found


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "001090000001", path)


def test_every_route_needs_credentials_except_the_public_ones(client: TestClient) -> None:
    routes = _routes(client)
    assert len(routes) >= 12
    assert set(routes) >= PUBLIC_ROUTES, PUBLIC_ROUTES - set(routes)
    for method, path in routes:
        if (method, path) in PUBLIC_ROUTES:
            continue
        for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Cookie": "citizenid_session=forged"}):
            response = client.request(method, _concrete(path), headers=headers, json={}, follow_redirects=False)
            if path.startswith(PAGE_PREFIXES):
                # A page sends a stranger's browser to the sign-in page instead.
                assert response.status_code == 303, (method, path, headers, response.status_code)
                assert response.headers["location"] == ("/portal/login" if path.startswith("/portal") else "/login")
                continue
            assert response.status_code == 401, (method, path, headers, response.status_code)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["www-authenticate"] == "Bearer"


def test_no_router_hides_a_route_from_the_walk() -> None:
    for router in (applications_router, cards_router,
                   audit_router, auth_router, users_router, registry_router, refdata_router, signing_router,
                   otp_router, exchange_router, exchange_admin_router, portal_router, biometrics_router,
                   cleansing_router, documents_partner_router, documents_portal_router, cases_router):
        assert all(getattr(r, "include_in_schema", True) for r in router.routes), router.prefix


def test_public_routes_answer_without_credentials(client: TestClient) -> None:
    assert client.get("/api/v1/health").json()["status"] == "ok"
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/docs").status_code == 200
    assert client.get("/", follow_redirects=False).status_code == 307


def test_a_logged_out_token_is_refused(client: TestClient) -> None:
    headers = login(client, "giamsat")
    assert client.get("/api/v1/ping", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/ping", headers=headers).status_code == 401


def test_oauth_password_form_logs_in_like_json(client: TestClient) -> None:
    form = client.post("/api/v1/auth/token", data={"username": "giamsat", "password": PASSWORD,
                                                   "grant_type": "password"})
    assert form.status_code == 200, form.text
    token = form.json()["access_token"]
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).json()["role"] == "supervisor"
    garbage = client.post("/api/v1/auth/token", content=b"\xff\xfe", headers={"content-type": "application/json"})
    assert garbage.status_code == 400
    assert garbage.headers["content-type"] == "application/problem+json"
