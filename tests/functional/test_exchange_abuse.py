"""Bad input and abuse on the exchange: malformed and oversized bodies, unknown fields, forged and
replayed tokens, requests outside the grant — problem+json, no data, an entry in the access log; the
administration API is for administrators; and schemathesis finds no server error in the served OpenAPI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from sqlalchemy import Engine

from citizenid.bootstrap import Container, bootstrap
from citizenid.config import Settings
from citizenid.exchange.domain import Limits
from citizenid.exchange.notify import RecordingChannel
from citizenid.exchange.tokens import PartnerKey
from citizenid.exchange.wiring import wire_exchange
from tests.functional.conftest import login
from tests.functional.exchange_helpers import Partner, load_people, make_service

PROBLEM = "application/problem+json"
ALL_ATTRIBUTES = ["birth_date", "full_name", "sex", "residence_commune", "residence_detail"]


@pytest.fixture
def container(sqlite_engine: Engine, tmp_path: Path) -> Container:
    settings = Settings(data_dir=tmp_path, database_url=str(sqlite_engine.url), keystore_passphrase="functional-test",
                        argon2_memory_kib=1024, argon2_time_cost=1)
    built = bootstrap(settings, engine=sqlite_engine)
    wire_exchange(built, channel=RecordingChannel())
    return built


def _refusals(container: Container) -> list[Any]:
    return [r for r in container.audit.recent(limit=500) if r.action.startswith("exchange:request:")]


def test_bad_bodies_are_problems_and_are_audited(client: TestClient, container: Container) -> None:
    people = load_people(container, 20)
    make_service(container, "NH-A", {"verify": ALL_ATTRIBUTES})
    bank = Partner(client, container, "NH-A", "bank-a")
    number = people[0]["personal_number"]
    path = "/api/v1/exchange/verify"
    cases = {
        "unknown field": ({"identifier": number, "attributes": {"full_name": "A"}, "extra": 1}, 422),
        "unknown attribute": ({"identifier": number, "attributes": {"salary": "1"}}, 422),
        "bad number": ({"identifier": "12345", "attributes": {"sex": "M"}}, 422),
        "no attribute": ({"identifier": number, "attributes": {}}, 400),
    }
    for name, (body, status) in cases.items():
        response = bank.call("POST", path, body)
        assert response.status_code == status, (name, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert people[0]["family_name"] not in response.text
    garbage = client.post(path, content=b"{not json", headers={**bank.headers("POST", path),
                                                                "content-type": "application/json"})
    assert garbage.status_code == 422
    huge = client.post(path, content=b"{" + b" " * 70_000 + b"}", headers={**bank.headers("POST", path),
                                                                          "content-type": "application/json"})
    assert huge.status_code == 413
    assert huge.json()["code"] == "XCH-413"
    outcomes = {r.outcome for r in _refusals(container)}
    assert {"GEN-422", "XCH-400", "XCH-413"} <= outcomes


def test_forged_tokens_are_refused_and_audited(client: TestClient, container: Container) -> None:
    path = "/api/v1/exchange/verify"
    body = {"identifier": "001090000001", "attributes": {"sex": "M"}}
    key = PartnerKey()
    forged = {"Authorization": "DPoP made-up-token", "DPoP": key.dpop("POST", f"http://testserver{path}",
                                                                        "made-up-token")}
    for headers in ({}, {"Authorization": "Bearer x"}, forged, {"Authorization": "DPoP x", "DPoP": "a.b.c"}):
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM
    assert len([r for r in _refusals(container) if r.actor == "anonymous"]) >= 4


def test_partner_routes_refuse_what_the_service_is_not_granted(client: TestClient, container: Container) -> None:
    make_service(container, "NH-NONE", {})
    nobody = Partner(client, container, "NH-NONE", "bank-none")
    number = "001090000001"
    calls = [
        ("POST", "/api/v1/exchange/verify", {"identifier": number, "attributes": {"sex": "M"}}),
        ("POST", "/api/v1/exchange/verify/batch", {"items": [{"identifier": number, "attributes": {"sex": "M"}}]}),
        ("POST", "/api/v1/exchange/consents", {"identifier": number, "attributes": ["sex"], "purpose": "thử"}),
        ("POST", "/api/v1/exchange/card/challenges", None),
        ("POST", "/api/v1/exchange/subscriptions", {"topics": ["death"], "url": "https://bank.example/hook"}),
        ("POST", "/api/v1/exchange/aliases", {"identifier": number}),
    ]
    for method, path, body in calls:
        response = nobody.call(method, path, body)
        assert response.status_code == 403, (path, response.text)
        assert response.json()["code"] == "XCH-410"


def test_portal_codes_are_throttled_per_number(client: TestClient, container: Container) -> None:
    number = load_people(container, 5)[0]["personal_number"]
    answers = [client.post("/api/v1/portal/login", json={"personal_number": number}) for _ in range(6)]
    assert [a.status_code for a in answers] == [202] * 5 + [429]
    assert int(answers[-1].headers["Retry-After"]) > 0
    assert answers[-1].headers["content-type"] == PROBLEM


def test_administration_is_for_administrators(client: TestClient, container: Container) -> None:
    admin, supervisor = login(client, "quantri"), login(client, "giamsat")
    base = "/api/v1/exchange/admin"
    assert client.post(f"{base}/members", headers=supervisor, json={
        "member_id": "BTP", "name": "Bộ Tư pháp", "kind": "ministry"}).status_code == 403
    steps = [
        ("POST", "members", {"member_id": "BTP", "name": "Bộ Tư pháp", "kind": "ministry"}),
        ("POST", "subsystems", {"member_id": "BTP", "subsystem_id": "BTP-HT", "name": "Hộ tịch"}),
        ("POST", "services", {"subsystem_id": "BTP-HT", "service_code": "BTP-KS", "name": "Đăng ký khai sinh",
                              "legal_basis": "Luật Hộ tịch 2014", "purpose": "xác thực cha mẹ"}),
        ("PUT", "services/BTP-KS/grants/verify", {"scope": ["full_name", "birth_date"]}),
        ("POST", "clients", {"service_code": "BTP-KS", "client_id": "btp-ks-1", "name": "Cổng hộ tịch"}),
        ("POST", "clients/btp-ks-1/keys", {"jwk": PartnerKey().public_jwk}),
        ("POST", "clients/btp-ks-1/suspend", {"reason": "kiểm tra"}),
        ("POST", "clients/btp-ks-1/reinstate", None),
    ]
    for method, path, body in steps:
        response = client.request(method, f"{base}/{path}", headers=admin, json=body)
        assert response.status_code in (200, 201, 204), (path, response.text)
    services = client.get(f"{base}/services", headers=admin).json()
    assert services[0]["grants"] == {"verify": ["birth_date", "full_name"]}
    duplicate = client.post(f"{base}/members", headers=admin, json=steps[0][2])
    assert duplicate.status_code == 409
    private = client.post(f"{base}/clients/btp-ks-1/keys", headers=admin, json={"jwk": {**PartnerKey().public_jwk,
                                                                                       "d": "AAAA"}})
    assert private.status_code == 400
    assert client.post(f"{base}/catalogue", headers=admin).json()["services_added"] >= 200


@pytest.mark.slow
def test_schemathesis_finds_no_server_error(client: TestClient, container: Container) -> None:
    people = load_people(container, 20)
    make_service(container, "NH-FUZZ", {"verify": ALL_ATTRIBUTES, "fetch": ALL_ATTRIBUTES,
                                         "card_auth": ["full_name"], "events": ["death"]})
    partner = Partner(client, container, "NH-FUZZ", "bank-fuzz", limits=Limits(1e6, 10**6, 10**9))
    admin = login(client, "quantri")
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    examples = {"n": 0}
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(("/api/v1/exchange", "/api/v1/portal")):
            continue

        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck),
                  phases=[Phase.explicit, Phase.generate], database=None)
        @given(case=operation.as_strategy())
        def no_server_error(case: Any) -> None:
            path = case.formatted_path
            if path.startswith("/api/v1/exchange/admin"):
                headers = admin
            elif path.startswith("/api/v1/exchange"):
                headers = partner.headers(case.method, path)
            else:
                headers = {}
            examples["n"] += 1
            response = case.call(headers={**(case.headers or {}), **headers})
            assert response.status_code < 500, (case.method, path, response.text)

        no_server_error()
    assert examples["n"] > 100
    assert people
