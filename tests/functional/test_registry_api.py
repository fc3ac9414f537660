"""The register over HTTP: login, lookups, search, history, events, errors as problem+json."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.testclient import TestClient

from citizenid.auth.domain import operator_principal
from citizenid.bootstrap import Container
from citizenid.refdata import current_commune
from citizenid.synth import generate_population
from citizenid.vntext import fold
from tests.factories import HCMC_COMMUNE
from tests.functional.conftest import PASSWORD, login


def load(container: Container, count: int = 300) -> list[dict[str, str]]:
    table = generate_population(count, seed=11)
    container.registry.load_table(operator_principal("test"), table)
    return table.to_pylist()  # type: ignore[no-any-return]


def test_wrong_password_is_a_problem_without_hints(client: TestClient) -> None:
    for username in ("giamsat", "nobody"):
        response = client.post("/api/v1/auth/token", json={"username": username, "password": "wrong-password!"})
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == "wrong username or password"


def test_the_newcomer_walkthrough(client: TestClient, container: Container) -> None:
    people = load(container)
    someone = next(p for p in people if p["household_relationship"] == "head")
    headers = login(client, "giamsat")
    # find a person by name without diacritics
    found = client.get("/api/v1/persons", params={"name": fold(someone["full_name"]),
                                                  "birth_date": someone["birth_date"]}, headers=headers)
    assert found.status_code == 200
    numbers = [p["personal_number"] for p in found.json()["items"]]
    assert someone["personal_number"] in numbers
    number = someone["personal_number"]
    # see the household
    household = client.get(f"/api/v1/households/{someone['household_id']}", headers=headers).json()
    assert household["head_number"] == number
    assert number in [m["personal_number"] for m in household["members"]]
    # record a change of residence and see it in the history
    moved = client.post(f"/api/v1/persons/{number}/events", headers=headers, json={
        "kind": "change_of_residence", "effective_date": "2026-11-01", "reason": "chuyển nơi thường trú",
        "legal_basis": "Luật Cư trú 2020, điều 22",
        "data": {"residence_commune": HCMC_COMMUNE, "residence_detail": "5 Nguyễn Huệ"},
    })
    assert moved.status_code == 201, moved.text
    assert moved.json()["residence"]["province_code"] == "79"
    history = client.get(f"/api/v1/persons/{number}/history", headers=headers).json()
    assert [v["version"] for v in history["versions"]] == [1, 2]
    assert history["versions"][1]["changes"]["residence_commune"]["after"] == HCMC_COMMUNE
    assert history["events"][-1]["kind"] == "change_of_residence"


def test_lookup_by_number_and_old_id(client: TestClient, container: Container) -> None:
    people = load(container, 100)
    someone = next(p for p in people if p["old_id_number"])
    headers = login(client, "xuong")
    person = client.get(f"/api/v1/persons/{someone['personal_number']}", headers=headers)
    assert person.status_code == 200
    assert person.json()["full_name"] == someone["full_name"]
    by_old = client.get("/api/v1/persons", params={"old_id_number": someone["old_id_number"]}, headers=headers)
    assert [p["personal_number"] for p in by_old.json()["items"]] == [someone["personal_number"]]


def test_registrar_scope_and_role_limits(client: TestClient, container: Container) -> None:
    people = load(container, 200)
    outside = next(p for p in people if p["residence_commune"] and not _in_hanoi(p["residence_commune"]))
    hn = login(client, "canbo.hn")
    response = client.get(f"/api/v1/persons/{outside['personal_number']}", headers=hn)
    assert response.status_code == 404
    assert response.json()["code"] == "REG-404"
    production = login(client, "xuong")
    refused = client.post(f"/api/v1/persons/{outside['personal_number']}/events", headers=production, json={
        "kind": "death", "effective_date": "2026-01-01", "reason": "x", "legal_basis": "y"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "AUTH-403"
    assert client.get("/api/v1/audit/access-log", headers=hn).status_code == 403
    assert client.get("/api/v1/users", headers=hn).status_code == 403


def _in_hanoi(commune: str) -> bool:
    return current_commune(commune).province_code == "01"


def test_bad_input_is_problem_json_never_500(client: TestClient, container: Container) -> None:
    headers = login(client, "giamsat")
    cases = [
        client.get("/api/v1/persons/12345", headers=headers),
        client.get("/api/v1/persons/003090000001", headers=headers),
        client.get("/api/v1/persons", params={"birth_date": "yesterday"}, headers=headers),
        client.get("/api/v1/persons", headers=headers),
        client.get("/api/v1/persons/001090000001/as-of", params={"at": "2025-01-01T00:00:00"}, headers=headers),
        client.post("/api/v1/persons/001090000001/events", headers=headers, json={"kind": "teleport"}),
        client.post("/api/v1/births", headers=headers, json={
            "registration_province": "01", "registered_on": "2026-01-01", "legal_basis": "Luật Hộ tịch",
            "child": {"family_name": "Lê", "given_name": "Na", "sex": "X", "birth_date": "2025-12-30",
                      "residence_commune": "00004"}}),
        client.get("/api/v1/no-such-route", headers=headers),
    ]
    for response in cases:
        assert 400 <= response.status_code < 500, (response.request.url, response.status_code, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == response.status_code
        assert body["detail"]
    assert container.registry.count() == 0


def test_birth_over_http_and_number_check(client: TestClient) -> None:
    headers = login(client, "canbo.hn")
    response = client.post("/api/v1/births", headers=headers, json={
        "registration_province": "01", "registered_on": "2026-11-20", "legal_basis": "Luật Hộ tịch 2014, điều 16",
        "child": {"family_name": "Lê", "middle_name": "Minh", "given_name": "Khôi", "sex": "M",
                  "birth_date": "2026-11-15", "residence_commune": "00004", "mother_name": "Phạm Thị Thu"}})
    assert response.status_code == 201, response.text
    number = response.json()["personal_number"]
    assert number.startswith("001226")
    check = client.get(f"/api/v1/numbers/{number}", headers=headers).json()
    assert check == check | {"valid": True, "sex": "M", "birth_year": 2026, "registered": True, "mismatches": []}
    # A Hà Nội registrar cannot register a child who lives in TP. Hồ Chí Minh.
    refused = client.post("/api/v1/births", headers=headers, json={
        "registration_province": "01", "registered_on": "2026-11-20", "legal_basis": "Luật Hộ tịch",
        "child": {"family_name": "Lê", "given_name": "Na", "sex": "F", "birth_date": "2026-11-15",
                  "residence_commune": HCMC_COMMUNE}})
    assert refused.status_code == 403


def test_auditor_reads_who_accessed_a_person(client: TestClient, container: Container) -> None:
    people = load(container, 50)
    number = people[0]["personal_number"]
    client.get(f"/api/v1/persons/{number}", headers={**login(client, "giamsat"), "X-Purpose": quote("kiểm tra hồ sơ")})
    log = client.get("/api/v1/audit/access-log", params={"subject": number}, headers=login(client, "kiemtoan"))
    assert log.status_code == 200
    assert {"actor": "officer:giamsat", "purpose": "kiểm tra hồ sơ"}.items() <= log.json()[0].items()


def test_admin_creates_accounts(client: TestClient) -> None:
    headers = login(client, "quantri")
    created = client.post("/api/v1/users", headers=headers, json={
        "username": "canbo.dn", "password": PASSWORD, "role": "registrar", "province_code": "48"})
    assert created.status_code == 201, created.text
    again = client.post("/api/v1/users", headers=headers, json={
        "username": "canbo.dn", "password": PASSWORD, "role": "registrar", "province_code": "48"})
    assert again.status_code == 409
    no_province = client.post("/api/v1/users", headers=headers, json={
        "username": "canbo.x", "password": PASSWORD, "role": "registrar"})
    assert no_province.status_code == 400
    assert "canbo.dn" in [u["username"] for u in client.get("/api/v1/users", headers=headers).json()]
