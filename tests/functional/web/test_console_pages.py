"""The officer console through HTTP: sign-in, CSRF, opaque person links, search, record, life events, i18n."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from citizenid.auth.domain import operator_principal
from citizenid.bootstrap import Container
from citizenid.synth import generate_population
from citizenid.vntext import fold
from tests.factories import HCMC_COMMUNE
from tests.functional.conftest import PASSWORD

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PERSON_LINK = re.compile(r'href="/console/p/([A-Za-z0-9_-]+)"')


def sign_in(client: TestClient, username: str = "giamsat") -> str:
    """Sign in through the form; returns the CSRF token of the signed-in session."""
    form = client.get("/login")
    token = CSRF.search(form.text)
    assert token is not None
    done = client.post("/login", data={"username": username, "password": PASSWORD, "csrf": token.group(1)},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/console"
    cookie = done.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "samesite=strict" in cookie.lower()
    dashboard = client.get("/console")
    found = CSRF.search(dashboard.text)
    assert found is not None
    return found.group(1)


def load(container: Container, count: int = 200) -> list[dict[str, str]]:
    table = generate_population(count, seed=5)
    container.registry.load_table(operator_principal("test"), table)
    return table.to_pylist()  # type: ignore[no-any-return]


def test_pages_send_strangers_to_sign_in(client: TestClient) -> None:
    for path in ("/console", "/console/persons", "/console/p/anything"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/login"
    forged = client.get("/console", headers={"Cookie": "citizenid_session=forged"}, follow_redirects=False)
    assert forged.status_code == 303


def test_sign_in_needs_the_form_token_and_the_right_password(client: TestClient) -> None:
    no_token = client.post("/login", data={"username": "giamsat", "password": PASSWORD})
    assert no_token.status_code == 403
    form = client.get("/login")
    token = CSRF.search(form.text)
    assert token is not None
    wrong = client.post("/login", data={"username": "giamsat", "password": "sai-mat-khau", "csrf": token.group(1)})
    assert wrong.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in wrong.text
    assert "citizenid_session" not in wrong.headers.get("set-cookie", "")


def test_the_dashboard_counts_the_register_in_vietnamese(client: TestClient, container: Container) -> None:
    load(container, 150)
    sign_in(client)
    page = client.get("/console")
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert 'data-testid="total">150<' in page.text
    assert "Dân số theo tỉnh, thành phố thường trú" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_find_a_person_see_the_record_and_record_a_move(client: TestClient, container: Container) -> None:
    people = load(container)
    someone = next(p for p in people if p["household_relationship"] == "head" and p["status"] == "living")
    csrf = sign_in(client)
    results = client.post("/console/persons", data={"csrf": csrf, "name": fold(someone["full_name"]),
                                                     "birth_year": someone["birth_date"][:4]})
    assert results.status_code == 200
    assert someone["personal_number"] in results.text
    links = PERSON_LINK.findall(results.text)
    assert links
    # no personal number in any link
    assert all(someone["personal_number"] not in link for link in links)
    record = next(client.get(f"/console/p/{ref}") for ref in links
                  if someone["personal_number"] in client.get(f"/console/p/{ref}").text)
    assert someone["full_name"] in record.text
    assert "Hộ gia đình" in record.text
    ref = next(ref for ref in links if someone["personal_number"] in client.get(f"/console/p/{ref}").text)
    moved = client.post(f"/console/p/{ref}/events", data={
        "csrf": csrf, "kind": "change_of_residence", "effective_date": "2026-11-01",
        "residence_commune": HCMC_COMMUNE, "residence_detail": "5 Nguyễn Huệ",
        "reason": "chuyển nơi thường trú", "legal_basis": "Luật Cư trú 2020, điều 22", "version": "1"})
    assert moved.status_code == 200, moved.text
    assert "Đã ghi nhận sự kiện." in moved.text
    assert "5 Nguyễn Huệ" in moved.text
    assert "Thay đổi nơi thường trú" in moved.text
    history = container.registry.history(operator_principal("test"), someone["personal_number"])
    assert [v.version for v in history.versions] == [1, 2]


def test_a_form_without_the_session_token_changes_nothing(client: TestClient, container: Container) -> None:
    people = load(container, 50)
    csrf = sign_in(client)
    results = client.post("/console/persons", data={"csrf": csrf, "number": people[0]["personal_number"]})
    ref = PERSON_LINK.findall(results.text)[0]
    forged = client.post(f"/console/p/{ref}/events", data={
        "csrf": "forged", "kind": "death", "effective_date": "2026-11-01", "reason": "x", "legal_basis": "y"})
    assert forged.status_code == 403
    no_search = client.post("/console/persons", data={"name": "an"})
    assert no_search.status_code == 403
    history = container.registry.history(operator_principal("test"), people[0]["personal_number"])
    assert len(history.versions) == 1


def test_a_person_link_opens_only_in_its_own_session(client: TestClient, container: Container) -> None:
    people = load(container, 30)
    csrf = sign_in(client)
    results = client.post("/console/persons", data={"csrf": csrf, "number": people[0]["personal_number"]})
    ref = PERSON_LINK.findall(results.text)[0]
    assert client.get(f"/console/p/{ref}").status_code == 200
    client.cookies.clear()
    sign_in(client, "kiemtoan")
    other = client.get(f"/console/p/{ref}")
    assert other.status_code == 404
    assert people[0]["personal_number"] not in other.text
    tampered = ref[:-2] + ("AA" if not ref.endswith("AA") else "BB")
    assert client.get(f"/console/p/{tampered}").status_code == 404


def test_registrars_see_only_their_province(client: TestClient, container: Container) -> None:
    people = load(container, 300)
    outside = next(p for p in people if not p["residence_commune"].startswith(("00", "01")))
    csrf = sign_in(client, "canbo.hn")
    found = client.post("/console/persons", data={"csrf": csrf, "number": outside["personal_number"]})
    assert found.status_code == 404
    assert outside["full_name"] not in found.text


def test_bad_event_input_is_shown_and_changes_nothing(client: TestClient, container: Container) -> None:
    people = load(container, 30)
    living = next(p for p in people if p["status"] == "living")
    csrf = sign_in(client)
    results = client.post("/console/persons", data={"csrf": csrf, "number": living["personal_number"]})
    ref = PERSON_LINK.findall(results.text)[0]
    bad = client.post(f"/console/p/{ref}/events", data={"csrf": csrf, "kind": "change_of_residence",
                                                        "effective_date": "2026-11-01", "residence_commune": "99999",
                                                        "reason": "x", "legal_basis": "y"})
    assert bad.status_code == 400
    assert 'role="alert"' in bad.text
    assert len(container.registry.history(operator_principal("t"), living["personal_number"]).versions) == 1


def test_english_is_one_click_away(client: TestClient) -> None:
    csrf = sign_in(client, "quantri")  # an administrator reads no personal data, yet has a dashboard
    menu = client.get("/console").text
    assert "/console/persons" not in menu  # what an officer sees follows their role
    assert "/console/applications" not in menu
    switched = client.post("/language", data={"language": "en", "back": "/console"}, follow_redirects=False)
    assert switched.status_code == 303
    page = client.get("/console")
    assert '<html lang="en">' in page.text
    assert "Persons by province of residence" in page.text
    assert client.post("/language", data={"language": "en", "back": "//evil.example"},
                       follow_redirects=False).headers["location"] == "/console"
    out = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/console", follow_redirects=False).status_code == 303
