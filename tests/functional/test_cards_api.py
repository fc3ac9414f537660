"""The card pipeline over HTTP, no mocks: intake with idempotency keys, approval, production, issuance,
revocation and its signed list, renewals, the campaign; problem+json for bad input; roles per endpoint."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citizenid.app import create_app
from citizenid.bootstrap import Container
from citizenid.cards.api import applications_router, cards_router
from citizenid.chip.revocation import read_revocation_list
from tests.functional.conftest import PASSWORD, USERS, login
from tests.integration.cards.conftest import add_people, cards_container, fingerprints, person, photo_jpeg


@pytest.fixture
def cards(sqlite_engine: Engine, tmp_path: Path) -> Container:
    return cards_container(sqlite_engine, tmp_path)


@pytest.fixture
def api(cards: Container) -> Iterator[TestClient]:
    for username, (role, province) in USERS.items():
        cards.auth.add_user(username, PASSWORD, role=role, province_code=province)
    with TestClient(create_app(cards), raise_server_exceptions=False) as client:
        yield client


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _body(number: str, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "personal_number": number, "reason": "first_card", "site": "CA-P.BaDinh",
        "declared": {"family_name": "Nguyễn", "given_name": "An"}, "photo": _b64(photo_jpeg()),
        "fingerprints": {str(k): _b64(v) for k, v in fingerprints(2, 7).items()},
    }
    body.update(overrides)
    return body


def test_the_card_life_over_http(api: TestClient, cards: Container) -> None:
    [number] = add_people(cards, person())
    registrar, supervisor, factory = login(api, "canbo.hn"), login(api, "giamsat"), login(api, "xuong")
    key = {"Idempotency-Key": "quay-1-0001"}
    first = api.post("/api/v1/applications", json=_body(number), headers=registrar | key)
    assert first.status_code == 201, first.text
    application_id = first.json()["application_id"]
    assert "photo" not in first.json()
    again = api.post("/api/v1/applications", json=_body(number), headers=registrar | key)
    assert again.json()["application_id"] == application_id
    other = api.post("/api/v1/applications", json=_body(number, site="khác"), headers=registrar | key)
    assert (other.status_code, other.json()["code"]) == (422, "CRD-422")
    assert other.headers["content-type"] == "application/problem+json"
    second = api.post("/api/v1/applications", json=_body(number), headers=registrar)
    assert (second.status_code, second.json()["code"], second.json()["application_id"]) == (409, "CRD-410",
                                                                                           application_id)
    amended = api.post(f"/api/v1/applications/{application_id}/declaration",
                       json={"declared": {"given_name": "Ân"}}, headers=registrar)
    assert amended.json()["mismatches"] == [{"field": "given_name", "declared": "Ân", "registered": "An"}]
    mismatch = api.post(f"/api/v1/applications/{application_id}/verify", headers=registrar)
    assert (mismatch.status_code, mismatch.json()["code"]) == (400, "CRD-402")
    assert mismatch.json()["mismatches"][0]["field"] == "given_name"
    api.post(f"/api/v1/applications/{application_id}/declaration", json={"declared": {"given_name": "An"}},
             headers=registrar)
    early = api.post(f"/api/v1/applications/{application_id}/approve", headers=supervisor)
    assert (early.status_code, early.json()["code"]) == (409, "CRD-409")
    assert api.post(f"/api/v1/applications/{application_id}/verify", headers=registrar).json()["state"] == "verified"
    assert api.post(f"/api/v1/applications/{application_id}/approve", headers=registrar).status_code == 403
    assert api.post(f"/api/v1/applications/{application_id}/approve", headers=supervisor).json()["state"] == "approved"
    listed = api.get("/api/v1/applications", params={"state": "approved"}, headers=supervisor).json()["items"]
    assert [a["application_id"] for a in listed] == [application_id]
    batch = api.post("/api/v1/cards/batches", json={"limit": 10}, headers=factory)
    assert batch.status_code == 201, batch.text
    batch_id = batch.json()["batch_id"]
    assert api.post(f"/api/v1/cards/batches/{batch_id}/run", json={}, headers=factory).json()["produced"] == 1
    assert api.post(f"/api/v1/cards/batches/{batch_id}/dispatch", headers=factory).json() == {"dispatched": 1}
    refused = api.post(f"/api/v1/applications/{application_id}/issue", json={}, headers=registrar)
    assert (refused.status_code, refused.json()["code"]) == (409, "CRD-412")
    card = api.post(f"/api/v1/applications/{application_id}/issue", json={"officer_confirmed": True},
                    headers=registrar).json()
    assert card["state"] == "active"
    number_ = card["card_number"]
    assert api.get(f"/api/v1/cards/{number_}/verification", headers=registrar).json()["valid"] is True
    history = api.get(f"/api/v1/applications/{application_id}/history", headers=supervisor).json()["items"]
    assert [h["to_state"] for h in history][-1] == "issued"
    revoked = api.post(f"/api/v1/cards/{number_}/revoke", json={"reason": "lost"}, headers=registrar)
    assert revoked.json()["state"] == "revoked"
    signed = api.get("/api/v1/cards/revocation-list", headers=factory)
    assert signed.headers["content-type"] == "application/cms"
    listed_keys = read_revocation_list(signed.content, cards.pki.csca_certificates()).revoked
    assert listed_keys == {f"{number}{dt.datetime.now(dt.UTC):%Y%m%d}"}
    assert api.get(f"/api/v1/cards/{number_}/verification", headers=registrar).json()["valid"] is False
    assert api.get("/api/v1/cards", params={"personal_number": number}, headers=registrar).json()["items"][0][
        "state"] == "revoked"
    target = api.post("/api/v1/cards/campaign/targets", json={"milestone": "issued", "target": 2,
                                                             "due_date": "2030-07-01"}, headers=supervisor)
    assert target.status_code == 201, target.text
    progress = api.get("/api/v1/cards/campaign", headers=supervisor).json()["targets"]
    assert (progress[0]["done"], progress[0]["target"]) == (1, 2)
    assert api.get("/api/v1/cards/renewals", params={"months": 6}, headers=supervisor).json() == {"items": []}


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"photo": "not base64!"}, 400, "CRD-400"),
        ({"photo": _b64(b"GIF89a......")}, 400, "CRD-401"),
        ({"fingerprints": {}}, 400, "CRD-401"),
        ({"personal_number": "001090999999"}, 404, "REG-404"),
        ({"reason": "because"}, 422, "GEN-422"),
        ({"declared": {"hat": "red"}}, 400, "CRD-400"),
    ],
)
def test_bad_input_is_a_clear_problem(api: TestClient, cards: Container, change: dict[str, object], status: int,
                                      code: str) -> None:
    [number] = add_people(cards, person())
    response = api.post("/api/v1/applications", json=_body(number, **change), headers=login(api, "canbo.hn"))
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert api.get("/api/v1/applications", headers=login(api, "giamsat")).json()["items"] == []


# Each endpoint with a role that may not use it.
FORBIDDEN = [
    ("POST", "/api/v1/applications", "xuong"),
    ("GET", "/api/v1/applications", "kiemtoan"),
    ("GET", "/api/v1/applications/HS1", "kiemtoan"),
    ("GET", "/api/v1/applications/HS1/history", "quantri"),
    ("POST", "/api/v1/applications/HS1/verify", "xuong"),
    ("POST", "/api/v1/applications/HS1/declaration", "xuong"),
    ("POST", "/api/v1/applications/HS1/approve", "canbo.hn"),
    ("POST", "/api/v1/applications/HS1/reject", "canbo.hn"),
    ("POST", "/api/v1/applications/HS1/cancel", "xuong"),
    ("POST", "/api/v1/applications/HS1/issue", "xuong"),
    ("GET", "/api/v1/cards/renewals", "kiemtoan"),
    ("GET", "/api/v1/cards/campaign", "canbo.hn"),
    ("POST", "/api/v1/cards/campaign/targets", "xuong"),
    ("POST", "/api/v1/cards/batches", "giamsat"),
    ("GET", "/api/v1/cards/batches/b1", "kiemtoan"),
    ("POST", "/api/v1/cards/batches/b1/run", "canbo.hn"),
    ("POST", "/api/v1/cards/batches/b1/dispatch", "giamsat"),
    ("POST", "/api/v1/cards/holder-deaths", "xuong"),
    ("GET", "/api/v1/cards", "kiemtoan"),
    ("GET", "/api/v1/cards/0000000001", "kiemtoan"),
    ("GET", "/api/v1/cards/0000000001/history", "quantri"),
    ("GET", "/api/v1/cards/0000000001/verification", "kiemtoan"),
    ("POST", "/api/v1/cards/0000000001/revoke", "xuong"),
    ("POST", "/api/v1/cards/0000000001/update", "xuong"),
]
BODIES = {
    "/api/v1/applications": _body("001090000001"),
    "/api/v1/applications/HS1/reject": {"reason": "x"},
    "/api/v1/applications/HS1/declaration": {"declared": {}},
    "/api/v1/applications/HS1/cancel": {},
    "/api/v1/applications/HS1/issue": {},
    "/api/v1/cards/campaign/targets": {"milestone": "issued", "target": 1, "due_date": "2030-01-01"},
    "/api/v1/cards/batches": {},
    "/api/v1/cards/batches/b1/run": {},
    "/api/v1/cards/holder-deaths": {"personal_number": "001090000001"},
    "/api/v1/cards/0000000001/revoke": {"reason": "lost"},
}


def test_every_card_endpoint_refuses_the_wrong_role(api: TestClient) -> None:
    tokens = {user: login(api, user) for user in {u for _, _, u in FORBIDDEN}}
    for method, path, user in FORBIDDEN:
        params = {"personal_number": "001090000001"} if path == "/api/v1/cards" else None
        response = api.request(method, path, headers=tokens[user], json=BODIES.get(path), params=params)
        assert response.status_code == 403, (method, path, user, response.status_code, response.text)
        assert response.json()["code"] == "AUTH-403"


def test_every_card_endpoint_is_in_the_role_table() -> None:
    routes = {(m, r.path) for router in (applications_router, cards_router) for r in router.routes
              for m in getattr(r, "methods", ())}
    covered = {(m, p.replace("HS1", "{application_id}").replace("b1", "{batch_id}")
                .replace("0000000001", "{card_number}")) for m, p, _ in FORBIDDEN}
    assert routes - covered == {("GET", "/api/v1/cards/revocation-list")}  # every officer may fetch the list
