"""Every route of the app refuses requests without valid credentials, except the declared public ones."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Route

from citizenid.app import PUBLIC_ROUTES
from tests.functional.conftest import login


def _routes(client: TestClient) -> list[tuple[str, str]]:
    found = []
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, (APIRoute, Route)):
            for method in sorted(route.methods or []):
                if method != "HEAD":
                    found.append((method, route.path))
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
            response = client.request(method, _concrete(path), headers=headers, json={})
            assert response.status_code == 401, (method, path, headers, response.status_code)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["www-authenticate"] == "Bearer"


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
